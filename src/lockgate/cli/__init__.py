"""The command-line adapter: parse input, call services, render. Imports stay lazy."""
