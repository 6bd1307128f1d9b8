from shipit.cli.app import main

main()
