import sys

from .ctl import main

sys.exit(main())
