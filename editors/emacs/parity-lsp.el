;;; parity-lsp.el --- parity-lsp through eglot  -*- lexical-binding: t; -*-

;; Package-Requires: ((emacs "27.1") (eglot "1.9"))
;; Keywords: tools, languages

;;; Commentary:

;; Registers `parity-lsp serve --stdio' with eglot for Markdown, CSV and TSV buffers, and makes
;; the eglot project root the nearest ancestor that has `.parity-lsp.toml', `pyproject.toml' or
;; `.git' (as `parity-lsp check' decides).
;;
;;   (add-to-list 'load-path "/path/to/parity-lsp/editors/emacs")
;;   (require 'parity-lsp)
;;   (add-hook 'markdown-mode-hook #'eglot-ensure)   ; or M-x eglot in a matrix
;;
;; Engine settings (SPEC section 7, camelCase keys) go in `eglot-workspace-configuration',
;; e.g. in the project's .dir-locals.el:
;;
;;   ((nil . ((eglot-workspace-configuration
;;             . (:parityLsp (:ignore ["PM103"] :severity (:PM304 "error")))))))
;;
;; `parity-lsp-fix-all' applies the safe fixes of the current buffer.

;;; Code:

(require 'eglot)
(require 'project)

(defgroup parity-lsp nil
  "The parity-lsp language server through eglot."
  :group 'tools
  :prefix "parity-lsp-")

(defcustom parity-lsp-command '("parity-lsp" "serve" "--stdio")
  "Command that starts the server.
E.g. (\"/path/to/.venv/bin/python\" \"-m\" \"parity_lsp\" \"serve\" \"--stdio\")."
  :type '(repeat string))

(defcustom parity-lsp-modes '(markdown-mode gfm-mode csv-mode tsv-mode)
  "Major modes in which eglot starts parity-lsp."
  :type '(repeat symbol))

(defcustom parity-lsp-root-markers '(".parity-lsp.toml" "pyproject.toml" ".git")
  "Files or directories that mark the workspace root: the nearest ancestor with any wins."
  :type '(repeat string))

(defun parity-lsp-root (&optional dir)
  "The nearest ancestor of DIR (default: `default-directory') with a root marker, or nil."
  (locate-dominating-file
   (or dir default-directory)
   (lambda (d)
     (seq-some (lambda (m) (file-exists-p (expand-file-name m d))) parity-lsp-root-markers))))

(defun parity-lsp--project (dir)
  "A transient project at the parity-lsp root of DIR, in `parity-lsp-modes' buffers only."
  (when (apply #'derived-mode-p parity-lsp-modes)
    (let ((root (parity-lsp-root dir)))
      (when root (cons 'transient (file-name-as-directory (expand-file-name root)))))))

(add-hook 'project-find-functions #'parity-lsp--project)

(defun parity-lsp--contact (&optional _interactive)
  "The server command for `eglot-server-programs'."
  parity-lsp-command)

(add-to-list 'eglot-server-programs (cons parity-lsp-modes #'parity-lsp--contact))

(defun parity-lsp-fix-all ()
  "Apply the safe fixes of the current buffer (code action source.fixAll.parityLsp)."
  (interactive)
  (eglot-code-actions (point-min) (point-max) "source.fixAll.parityLsp" t))

(provide 'parity-lsp)
;;; parity-lsp.el ends here
