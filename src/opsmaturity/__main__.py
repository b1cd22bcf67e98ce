from opsmaturity.cli import main

main()
