"""Text normalisation for names and places: Arabic script and Latin transliterations."""
