"""End to end: Debian's Emacs (emacs-nox, elpa-eglot, elpa-markdown-mode; installed by .ci/run)
loads editors/emacs/parity-lsp.el, starts the real server through eglot on a copy of the demo,
and reports flymake's diagnostics and xref's go-to-definition as JSON.

A missing Emacs FAILS the test with the command that installs it (CI installs it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import require

REPO = Path(__file__).resolve().parents[1]
EXPECTED = json.loads((REPO / "editors" / "demo-expected.json").read_text())
PACKAGES = "apt-get install -y emacs-nox elpa-eglot elpa-markdown-mode elpa-csv-mode"

DRIVER = r"""
(require 'json)
(add-to-list 'load-path (getenv "PARITY_E2E_PLUGIN"))
(defvar report nil)
(defun report (key value) (push (cons key value) report))
(defun parity-e2e-has (line code)
  "Whether flymake shows CODE on LINE of the current buffer."
  (seq-some (lambda (d)
              (and (= (line-number-at-pos (flymake-diagnostic-beg d)) line)
                   (string-match-p (format "\\[%s\\]" code) (flymake-diagnostic-text d))))
            (flymake-diagnostics)))
(defun parity-e2e-wait (buffer seconds pred)
  "Wait up to SECONDS for PRED to hold in BUFFER, handling process output and events: in batch
mode only `read-event' runs file notifications (the command loop does in a session)."
  (let ((deadline (+ (float-time) seconds)) (ok nil))
    (while (and (not (setq ok (with-current-buffer buffer (funcall pred))))
                (< (float-time) deadline))
      (accept-process-output nil 0.02)
      (read-event nil nil 0.03))
    (and ok t)))
(unwind-protect
    (condition-case err
        (progn
          (require 'markdown-mode)
          (require 'parity-lsp)
          (report 'emacs emacs-version)
          (setq eglot-sync-connect 20)
          ;; a user setting, as README's .dir-locals.el example writes it
          (setq-default eglot-workspace-configuration '(:parityLsp (:severity (:PM304 "error"))))
          (find-file (getenv "PARITY_E2E_MATRIX"))
          (report 'mode (symbol-name major-mode))
          (report 'root (expand-file-name (parity-lsp-root)))
          (report 'project (cdr (project-current)))
          ;; what `eglot-ensure' does on the next command loop, which batch mode has not
          (apply #'eglot (eglot--guess-contact))
          (let ((deadline (+ (float-time) 30))
                (want (string-to-number (getenv "PARITY_E2E_COUNT"))))
            (while (and (< (float-time) deadline) (< (length (flymake-diagnostics)) want))
              (accept-process-output nil 0.1)))
          (accept-process-output nil 0.3)
          (report 'server (and (eglot-current-server) (eglot--project-nickname (eglot-current-server))))
          (report 'diagnostics
                  (vconcat (mapcar (lambda (d)
                                     (let ((text (flymake-diagnostic-text d)))
                                       `((line . ,(line-number-at-pos (flymake-diagnostic-beg d)))
                                         (type . ,(symbol-name (flymake-diagnostic-type d)))
                                         (code . ,(if (string-match "\\[\\(PM[0-9]+\\)\\]" text) (match-string 1 text) text)))))
                                   (flymake-diagnostics))))
          (let ((matrix (current-buffer)) (defs nil))
            (dolist (def (append (json-read-file (getenv "PARITY_E2E_DEFS")) nil))
              (switch-to-buffer matrix)
              (goto-char (point-min))
              (forward-line (1- (alist-get 'line def)))
              (search-forward (alist-get 'needle def) (line-end-position))
              (backward-char 2)
              (xref-find-definitions (xref-backend-identifier-at-point (xref-find-backend)))
              (push `((needle . ,(alist-get 'needle def)) (file . ,(buffer-file-name)) (line . ,(line-number-at-pos))) defs))
            (report 'definitions (vconcat (nreverse defs)))
            ;; a cited Rust file edited in Emacs: two lines above `tick_idempotency_key', which the
            ;; matrix cites at line 6 (row on line 10); unsaved, then saved, then put back
            (let ((rs (find-file-noselect (getenv "PARITY_E2E_CITED"))))
              (with-current-buffer rs
                (report 'cited_managed (and (eglot-managed-p) t))
                (goto-char (point-min))
                (insert "// one\n// two\n"))
              (report 'unsaved_edit_updates (parity-e2e-wait matrix 1 (lambda () (parity-e2e-has 10 "PM304"))))
              (with-current-buffer rs (save-buffer))
              (report 'save_updates (parity-e2e-wait matrix 10 (lambda () (parity-e2e-has 10 "PM304"))))
              (with-current-buffer rs
                (goto-char (point-min))
                (delete-region (point) (progn (forward-line 2) (point)))
                (save-buffer))
              (report 'restore_updates (parity-e2e-wait matrix 10 (lambda () (not (parity-e2e-has 10 "PM304"))))))
            ;; M-x parity-lsp-fix-all: the safe fixes (drifted line, status typo)
            (switch-to-buffer matrix)
            (parity-lsp-fix-all)
            (goto-char (point-min))
            (forward-line 10)
            (report 'fixed_lines (vector (buffer-substring (line-beginning-position) (line-end-position))
                                         (progn (forward-line 1)
                                                (buffer-substring (line-beginning-position) (line-end-position)))))))
      (error (report 'error (format "%S" err))))
  (with-temp-file (getenv "PARITY_E2E_OUT") (insert (json-encode report)))
  (kill-emacs 0))
"""


def test_emacs_eglot(tmp_path):
    emacs = require(shutil.which("emacs"), "Emacs", f"{PACKAGES} (.ci/run does)")
    root = tmp_path / "demo-repo"
    shutil.copytree(REPO / "examples" / "demo-repo", root)
    (tmp_path / "drive.el").write_text(DRIVER)
    (tmp_path / "defs.json").write_text(json.dumps(EXPECTED["definitions"]))
    out = tmp_path / "out.json"
    env = {
        **os.environ,
        "HOME": str(tmp_path),  # no user init, no ~/.emacs.d state
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "PARITY_E2E_PLUGIN": str(REPO / "editors" / "emacs"),
        "PARITY_E2E_MATRIX": str(root / EXPECTED["matrix"]),
        "PARITY_E2E_COUNT": str(len(EXPECTED["diagnostics"])),
        "PARITY_E2E_DEFS": str(tmp_path / "defs.json"),
        "PARITY_E2E_CITED": str(root / "crates/flow-core/src/schedule.rs"),
        "PARITY_E2E_OUT": str(out),
    }
    # --batch loads Debian's site-start (its elpa packages) but no user init file
    proc = subprocess.run(
        [emacs, "--batch", "-l", str(tmp_path / "drive.el")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert out.is_file(), (
        f"emacs wrote no report (exit {proc.returncode})\n{proc.stdout}\n{proc.stderr[-4000:]}"
    )
    report = json.loads(out.read_text())
    if "error" in report and "markdown-mode" in report["error"]:
        require(None, "markdown-mode or eglot", f"{PACKAGES} ({report['error']})")
    assert "error" not in report, f"{report['error']}\n{proc.stderr[-4000:]}"
    assert report["mode"] == "markdown-mode"
    assert report["root"].rstrip("/") == str(root)
    assert report["project"].rstrip("/") == str(root)
    assert report["server"] == "demo-repo"
    got = sorted((d["line"], d["code"]) for d in report["diagnostics"])
    assert got == sorted((d["line"], d["code"]) for d in EXPECTED["diagnostics"]), proc.stderr[-4000:]
    types = {d["code"]: d["type"] for d in report["diagnostics"]}
    # eglot answered workspace/configuration: PM304 (a warning by default) is an error
    assert (types["PM304"], types["PM101"], types["PM103"]) == ("eglot-error", "eglot-error", "eglot-note"), (
        types
    )
    line11, line12 = report["fixed_lines"]
    assert "`crates/flow-core/src/schedule.rs:21` (`TickLedger::record`)" in line11
    assert "| Tick ledger | Implemented | e2e |" in line12
    for seen, want in zip(report["definitions"], EXPECTED["definitions"], strict=True):
        assert (seen["file"], seen["line"]) == (str(root / want["target"]), want["target_line"]), seen
    # a cited Rust file edited in Emacs (README, "Editors"): eglot manages only the matrices'
    # buffers, so an unsaved edit changes nothing; saved, eglot's file watcher (the server
    # registers one: workspace/didChangeWatchedFiles) reports it and the matrix gets the drift
    assert not report["cited_managed"]
    assert not report["unsaved_edit_updates"]
    assert report["save_updates"], proc.stderr[-4000:]
    assert report["restore_updates"]
