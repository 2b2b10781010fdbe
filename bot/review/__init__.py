"""The review dialog, one module per part of the review; the flow is in `flow.py`.

- `dialog.py`: `Dialog`, what every part shares (state, saying, asking, dates)
- `commands.py`: commands, button values, free text, settings
- `deal_choice.py`: choosing or creating the deal and opening it
- `due.py`: following up steps that fell due; Done / Reschedule / Drop buttons
- `decision.py`: the target decision date
- `steps.py`: the context line and capturing next steps (`steps.capture`)
- `wrapup.py`: the risk, the summary, saving the plan
"""

from bot.review.commands import COMMANDS, HELP
from bot.review.dialog import Dialog, zone

__all__ = ["COMMANDS", "HELP", "Dialog", "zone"]
