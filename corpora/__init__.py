"""KếtNối's data files (glossary, policy catalogue, samples, labelled queries) as package data."""
