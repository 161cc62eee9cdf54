"""Evaluation harness: gold questions, metrics, the LangChain baseline and the report writer."""
