"""A config value of the wrong type: the program stops with a configuration error."""
import pulumi

pulumi.Config().require_int("count")
