"""Unit tests of the CLI's pieces that need no server: printers, parsers, planners."""
