"""The key that lists every key, placed first in each screen's footer.

A footer shows the focused widget's keys, then the screen's, then the app's, and cuts what does
not fit: at 80 columns the exercise screen's own keys fill the line and the app's F1 fell off the
end, so the one key that shows the rest could not be seen. Each screen names it first instead.
"""

from __future__ import annotations

from textual.binding import Binding

KEYS_FIRST = Binding("f1", "app.toggle_keys", "Keys", id="keys-first",
                     tooltip="Show or hide every key of this screen, with what it does")
"""The app's own F1 (a priority binding) still runs it; this entry only gives it the first place."""
