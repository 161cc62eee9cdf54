"""Store: where chunks, their vectors and their keyword index live on disk."""
