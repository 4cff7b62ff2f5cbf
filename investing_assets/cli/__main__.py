from investing_assets.cli import main

raise SystemExit(main())
