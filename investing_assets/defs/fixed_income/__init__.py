"""Municipal credit: drop-folder documents, their extracted figures, the distress model and daily risk scores."""
