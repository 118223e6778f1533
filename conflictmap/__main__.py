from conflictmap.cli import main

main()
