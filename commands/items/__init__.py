"""What every item kind shares on the way to and from Slack: sending a new item (sending.py), posting and
redrawing its card (cards.py), the pieces of its forms (fields.py), moves by button, form and command
(moving.py), `show` and `list` (reading.py), and the client's consent (consent.py). A kind's own module
(commands/kinds/) supplies only what differs: its card, its forms and its words."""
