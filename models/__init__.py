"""The model zoo: the founding documents CNN first."""
