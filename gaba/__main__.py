from gaba.cli import main

raise SystemExit(main())
