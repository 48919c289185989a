"""The AWS operations: clients, the trigger's parts, the table's stream, the encryption keys, the
trigger's state."""
