from propctl.cli.main import main

raise SystemExit(main())
