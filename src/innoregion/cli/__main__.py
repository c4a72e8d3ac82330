from innoregion.cli import main

main()
