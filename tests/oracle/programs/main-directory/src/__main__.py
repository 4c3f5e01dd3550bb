"""main is a directory: it runs its __main__.py, the directory is the working directory and is on sys.path."""
import storage  # src/storage.py

storage.make()
