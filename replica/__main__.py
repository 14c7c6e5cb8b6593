from replica.server import main

raise SystemExit(main())
