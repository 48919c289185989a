"""The actions, one module each; none imports another."""
