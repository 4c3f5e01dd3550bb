BUCKET = "sibling"
