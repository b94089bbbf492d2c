"""Support code several check kinds share: result and evidence helpers, YAML under the
roadmap's caps, the target's interpreter, and running its code in a minimal environment."""
