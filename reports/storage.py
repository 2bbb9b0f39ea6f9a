"""The file storage for issued PDFs on a local disk: a file appears under its name whole or not at all.

Django's FileSystemStorage writes straight into the final name, so a worker killed half way through a PDF leaves a
half-written file under the name the next version would take. Here the content goes to a hidden temporary file in
the same directory, is flushed to disk, and is then linked to its name (a hard link: atomic, and refused when the
name exists, so nothing is overwritten). A killed worker leaves only a hidden `.partial-*` file, never a PDF.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

from django.core.files.storage import FileSystemStorage


class AtomicFileSystemStorage(FileSystemStorage):
    def _save(self, name: str, content: Any) -> str:
        if hasattr(content, "temporary_file_path"):  # an upload already on disk: Django moves it whole
            return super()._save(name, content)  # type: ignore[misc]  # untyped in django-stubs
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        os.makedirs(directory, exist_ok=True)
        fd, partial = tempfile.mkstemp(prefix=".partial-", dir=directory)
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in content.chunks():
                    out.write(chunk if isinstance(chunk, bytes) else chunk.encode())
                out.flush()
                os.fsync(out.fileno())
            if self.file_permissions_mode is not None:
                os.chmod(partial, self.file_permissions_mode)
            while True:
                try:
                    os.link(partial, full_path)  # atomic; FileExistsError when the name is taken
                    break
                except FileExistsError:
                    name = self.get_available_name(name)
                    full_path = self.path(name)
        finally:
            if os.path.exists(partial):
                os.unlink(partial)
        return str(name).replace("\\", "/")
