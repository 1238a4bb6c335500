"""``python -m recommender.policy``: score the rules on the labelled cases."""

import sys

from .cases import main

sys.exit(main())
