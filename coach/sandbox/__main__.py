"""`python -I -m coach.sandbox`: the harness's entry point inside the sandbox."""

from coach.sandbox.harness import main

main()
