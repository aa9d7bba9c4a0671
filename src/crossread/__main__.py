from crossread.cli import main

main()
