"""The intake wizard's own style rules, on top of the app's style sheet (ui/theme.py).

Scoped by object names so nothing leaks into other windows. Colours come from the theme.
"""

from __future__ import annotations

from desa_capil.ui.theme import ACCENT, ACCENT_DARK, BORDER, SURFACE, TEXT, TEXT_MUTED, TONES, WINDOW_BG

_amber, _red, _green, _blue = TONES["amber"], TONES["red"], TONES["green"], TONES["blue"]

INTAKE_QSS = f"""
QDialog#intakeWizard {{ background: {WINDOW_BG}; }}
QDialog#intakeWizard QLabel, QDialog#intakeWizard QPushButton, QDialog#intakeWizard QLineEdit,
QDialog#intakeWizard QComboBox, QDialog#intakeWizard QPlainTextEdit, QDialog#intakeWizard QListWidget {{
    font-size: 11pt;
}}
QFrame#wizardHeader {{ background: {SURFACE}; border-bottom: 1px solid {BORDER}; }}
QFrame#wizardFooter {{ background: {SURFACE}; border-top: 1px solid {BORDER}; }}
QLabel#wizardTitle {{ font-size: 15pt; font-weight: 700; color: {TEXT}; }}
QPushButton#stepButton {{
    border: none; border-radius: 16px; padding: 6px 16px; color: {TEXT_MUTED};
    background: transparent; font-weight: 600;
}}
QPushButton#stepButton:checked {{ background: {_blue.bg}; color: {ACCENT_DARK}; }}
QPushButton#stepButton:hover:!checked {{ background: #eef2f7; }}
QPushButton#stepButton:disabled {{ color: #b6c2d1; }}
QLabel#stepTitle {{ font-size: 13pt; font-weight: 700; color: {TEXT}; }}
QLabel#detailTitle {{ font-size: 13pt; font-weight: 700; color: {TEXT}; }}
QLabel#mutedNote {{ color: {TEXT_MUTED}; }}
QLabel#formLabel {{ color: {TEXT}; padding-top: 8px; }}
QFrame#card {{ background: {SURFACE}; border: 1px solid {BORDER}; border-radius: 10px; }}
QLineEdit, QComboBox, QPlainTextEdit {{
    min-height: 34px; padding: 2px 10px; border: 1px solid #cbd5e1; border-radius: 6px; background: {SURFACE};
}}
QLineEdit:focus, QComboBox:focus, QPlainTextEdit:focus {{ border: 2px solid {ACCENT}; }}
QLineEdit#bigSearch {{ min-height: 40px; font-size: 12pt; }}
QListWidget#serviceList, QListWidget#requirementList {{
    border: 1px solid {BORDER}; border-radius: 10px; background: {SURFACE}; padding: 4px; outline: none;
}}
QListWidget#serviceList::item {{ min-height: 40px; padding: 2px 10px; border-radius: 6px; }}
QListWidget#requirementList::item {{ padding: 4px 8px; border-radius: 6px; }}
QListWidget#serviceList::item:selected, QListWidget#requirementList::item:selected {{
    background: {_blue.bg}; color: {TEXT};
}}
QListWidget#serviceList::item:hover:!selected, QListWidget#requirementList::item:hover:!selected {{
    background: #f1f5f9;
}}
QListWidget#pageStrip {{ border: 1px dashed #cbd5e1; border-radius: 8px; background: #f8fafc; padding: 6px; }}
QListWidget#pageStrip::item {{ border-radius: 6px; padding: 4px; color: {TEXT}; }}
QListWidget#pageStrip::item:selected {{ background: {_blue.bg}; border: 2px solid {ACCENT}; }}
QLabel#emptyHint {{
    border: 2px dashed #cbd5e1; border-radius: 8px; color: {TEXT_MUTED}; padding: 30px; background: #f8fafc;
}}
QLabel#fieldMessage[tone="problem"] {{ color: {_red.fg}; }}
QLabel#fieldMessage[tone="ok"] {{ color: {_green.fg}; }}
QLabel#fieldMessage[tone="hint"] {{ color: {TEXT_MUTED}; }}
QLabel#fieldMessage[tone="warning"] {{ color: {_amber.fg}; }}
QLabel#inPersonNote {{
    background: {_amber.bg}; color: {_amber.fg}; border: 1px solid #fcd34d; border-radius: 8px;
    padding: 10px 12px; font-weight: 600;
}}
QLabel#officeNote {{
    background: {_amber.bg}; color: #7c2d12; border-bottom: 1px solid #fcd34d; padding: 12px 24px;
    font-weight: 600;
}}
QLabel#infoNote {{ background: {_blue.bg}; color: {_blue.fg}; border-radius: 8px; padding: 8px 12px; }}
QLabel#errorNote {{
    background: {_red.bg}; color: {_red.fg}; border: 1px solid #fca5a5; border-radius: 8px; padding: 10px 12px;
}}
QLabel#tag[tone="mandatory"] {{
    background: {_red.bg}; color: {_red.fg}; border-radius: 12px; padding: 4px 14px; font-weight: 600;
    min-height: 18px;
}}
QLabel#tag[tone="optional"] {{
    background: #e9eef4; color: {TEXT_MUTED}; border-radius: 11px; padding: 3px 12px; font-weight: 600;
}}
QDialog#intakeWizard QPushButton {{
    min-height: 36px; padding: 4px 14px; border: 1px solid #cbd5e1; border-radius: 6px; background: {SURFACE};
}}
QDialog#intakeWizard QPushButton:hover {{ background: #f1f5f9; }}
QDialog#intakeWizard QPushButton:focus {{ border: 2px solid {ACCENT}; }}
QDialog#intakeWizard QPushButton:disabled {{ color: #94a3b8; background: #f8fafc; }}
QDialog#intakeWizard QPushButton#primaryButton, QDialog#intakeWizard QPushButton#primarySource {{
    background: {ACCENT}; color: white; border: 1px solid {ACCENT_DARK}; font-weight: 600;
}}
QDialog#intakeWizard QPushButton#primaryButton:hover, QDialog#intakeWizard QPushButton#primarySource:hover {{
    background: {ACCENT_DARK};
}}
QDialog#intakeWizard QPushButton#primaryButton:disabled {{ background: #93b4ea; border-color: #93b4ea; }}
QDialog#intakeWizard QPushButton#dangerButton {{ color: {_red.fg}; }}
QDialog#intakeWizard QPushButton#dangerButton:disabled {{ color: #94a3b8; }}
QDialog#intakeWizard QPushButton#stepButton {{ border: none; min-height: 30px; }}
QDialog#intakeWizard QPushButton#stepButton:checked {{ background: {_blue.bg}; color: {ACCENT_DARK}; }}
QProgressBar#pageProgress {{
    min-height: 24px; border: 1px solid {BORDER}; border-radius: 6px; background: #f1f5f9; text-align: center;
}}
QProgressBar#pageProgress::chunk {{ background: #93c5fd; border-radius: 5px; }}
"""
