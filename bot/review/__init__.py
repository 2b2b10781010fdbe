"""The review dialog, one module per part of the review; the flow is in `flow.py`.

- `dialog.py`: `Dialog`, what every part shares (state, saying, asking, dates)
- `commands.py`: commands, button values, free text, settings
- `deal_choice.py`: choosing or creating the deal and opening it
- `due.py`: the queue of due steps, rescheduling; Done / Reschedule / Edit / Drop buttons
- `decision.py`: the target decision date
- `steps.py`: the context line and capturing next steps (`steps.capture`)
- `step_details.py`: completing a step (whose, by when), saving it, the next step question
- `followup.py`: "how did it go?" for a step that fell due
- `undo.py`, `edit.py`, `lifecycle.py`: undo/back/corrections, edit #N, close/rename/archive
- `wrapup.py`: the risk, the summary, saving the plan
"""

from bot.review.commands import COMMANDS, HELP
from bot.review.dialog import Dialog, zone

__all__ = ["COMMANDS", "HELP", "Dialog", "zone"]
