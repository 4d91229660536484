#!/bin/sh
# The consumer of the events example: reads the task's payload ({"event": "...", ...}) on standard input
# and appends "<event> <task id> <attempt>" to consumed.log in the spool folder ($SPOOL_DIR), in one write.
payload=$(cat)
event=$(printf '%s' "$payload" | sed -n 's/.*"event":"\([^"]*\)".*/\1/p')
printf '%s %s %s\n' "$event" "$SPOOL_TASK_ID" "$SPOOL_TASK_ATTEMPT" >> "$SPOOL_DIR/consumed.log"
