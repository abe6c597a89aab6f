"""The Textual app. Nothing here is imported by the CLI until `coach` opens the app."""
