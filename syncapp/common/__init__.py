"""What every part of opsync says and counts with: messages, numbers and durations, the two databases' names.

- `aliases`: the two databases by name (`facturation` is FAC, `default` is OPS);
- `messages`: what happened, as a code and its parameters, put into words in the reader's language;
- `formats`: numbers, durations, ages and times as the language writes them;
- `text`: outside text made safe to print (control characters escaped);
- `clock`: FAC's timestamps against its own clock (a billing application that writes local time).

May import: Django only, nothing of syncapp.
Imported by: every other folder.
"""
