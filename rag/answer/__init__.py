"""Answer: passages → a generated or extracted answer → verified citations."""
