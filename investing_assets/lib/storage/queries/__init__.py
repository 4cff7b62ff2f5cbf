"""Read SQL by area: each module holds one area's queries, so services orchestrate and hold no SQL text."""
