"""Taking pages with a camera: a webcam, a document camera, or a phone used as a USB webcam.

QtMultimedia does the capture (QMediaCaptureSession + QCamera + QImageCapture); the photo goes
out as a QImage by signal and is processed like any other photo by the scan pipeline (paper
found, perspective and lighting corrected). A laptop without a camera, a camera in use by
another program or one that fails mid-way gives a plain message, never a crash.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QBuffer, QByteArray, QCoreApplication, QIODevice, Qt, Signal
from PySide6.QtGui import QImage, QKeySequence
from PySide6.QtMultimedia import QCamera, QCameraDevice, QImageCapture, QMediaCaptureSession, QMediaDevices
from PySide6.QtMultimediaWidgets import QVideoWidget
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

log = logging.getLogger(__name__)


def camera_devices() -> list[QCameraDevice]:
    return list(QMediaDevices.videoInputs())


def camera_available() -> bool:
    return bool(camera_devices())


def no_camera_text() -> str:
    return QCoreApplication.translate(
        "Camera",
        "Tidak ada kamera yang terpasang di laptop ini. Pasang webcam, atau sambungkan ponsel lewat "
        "kabel USB sebagai webcam, lalu coba lagi. Anda juga bisa memotret kertas dengan ponsel dan "
        "mengimpor fotonya lewat \u201cImpor berkas\u201d.",
    )


def show_no_camera(parent: QWidget | None) -> None:
    QMessageBox.information(
        parent, QCoreApplication.translate("Camera", "Kamera tidak ditemukan"), no_camera_text()
    )


def backend_check() -> list[str]:
    """For the bundle's self-test: Qt Multimedia's backend makes a capture session with a camera,
    an image capture and a preview, as the camera dialog does (the build replaces libraries the
    FFmpeg plugin links but the camera never calls: build_slim.py). Uses no real camera (the
    self-test also runs during an update, when the webcam must stay off). Returns problems."""
    problems: list[str] = []
    camera_devices()  # the plugin lists the cameras (V4L2 on Linux)
    session = QMediaCaptureSession()
    camera = QCamera(QCameraDevice())
    capture = QImageCapture()
    preview = QVideoWidget()
    session.setCamera(camera)
    session.setImageCapture(capture)
    session.setVideoOutput(preview)
    QCoreApplication.processEvents()
    if session.camera() is not camera or not capture.isAvailable():
        problems.append("Qt Multimedia: the camera backend made no image capture (the camera would not work)")
    session.setCamera(None)
    preview.deleteLater()
    return problems


def qimage_to_jpeg(image: QImage, quality: int = 92) -> bytes:
    """Encode a captured frame. QImage is safe to use off the UI thread, so callers may run it
    on a worker: a 12 MP frame takes a noticeable moment to encode."""
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buf, "JPG", quality):
        raise ValueError("could not encode the camera frame")
    buf.close()
    return bytes(data.data())


class CameraDialog(QDialog):
    """Live preview and a big "take photo" button; stays open for the next page.

    Signals:
        photo_taken(object): a QImage of the captured page.
    """

    photo_taken = Signal(object)

    def __init__(self, parent: QWidget | None = None, paper_name: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Kamera"))
        self.setObjectName("cameraDialog")
        self._taken = 0
        self.camera: QCamera | None = None
        self.session = QMediaCaptureSession(self)
        self.capture = QImageCapture(self)
        self.session.setImageCapture(self.capture)
        self.preview = QVideoWidget()
        # Small enough for a 800x440 screen; the preview grows with the dialog.
        self.preview.setMinimumSize(320, 180)
        self.session.setVideoOutput(self.preview)

        self.devices = QComboBox()
        self.devices.setMinimumHeight(36)
        for dev in camera_devices():
            self.devices.addItem(dev.description(), dev.id())
        self.devices.currentIndexChanged.connect(self._use_device)

        hint = self.tr("Letakkan kertas di permukaan gelap, seluruh kertas terlihat, tanpa bayangan.")
        self.info = QLabel(
            (self.tr("Foto masuk ke \u201c{0}\u201d. ").format(paper_name) if paper_name else "") + hint
        )
        self.info.setWordWrap(True)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b91c1c; font-weight: 600;")
        self.message.hide()

        self.btn_take = QPushButton(self.tr("Ambil &foto (Spasi)"))
        self.btn_take.setShortcut(QKeySequence(Qt.Key.Key_Space))
        self.btn_take.setMinimumHeight(48)
        self.btn_take.setDefault(True)
        self.btn_take.clicked.connect(self.take)
        self.btn_done = QPushButton(self.tr("&Selesai"))
        self.btn_done.setMinimumHeight(48)
        self.btn_done.clicked.connect(self.accept)

        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Kamera:")))
        top.addWidget(self.devices, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.btn_take, 2)
        buttons.addWidget(self.btn_done, 1)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.preview, 1)
        lay.addWidget(self.info)
        lay.addWidget(self.message)
        lay.addLayout(buttons)

        self.capture.imageCaptured.connect(self._captured)
        self.capture.errorOccurred.connect(self._capture_error)
        self.capture.readyForCaptureChanged.connect(self._update)
        self._use_device(self.devices.currentIndex())
        self.resize(860, 640)

    def _use_device(self, index: int) -> None:
        if self.camera is not None:
            self.camera.stop()
            self.camera.deleteLater()
            self.camera = None
        devices = camera_devices()
        dev_id = self.devices.itemData(index)
        device = next((d for d in devices if d.id() == dev_id), None)
        if device is None:
            self._fail(no_camera_text())
            return
        self.camera = QCamera(device, self)
        self.camera.errorOccurred.connect(self._camera_error)
        self.session.setCamera(self.camera)
        self.camera.start()
        self._update()

    def _update(self, *_args: object) -> None:
        self.btn_take.setEnabled(self.camera is not None and self.capture.isReadyForCapture())

    def take(self) -> None:
        if self.camera is None or not self.capture.isReadyForCapture():
            return
        self.capture.capture()

    def _captured(self, _id: int, image: QImage) -> None:
        self._taken += 1
        self.info.setText(
            self.tr("{0} foto diambil. Ganti kertas lalu ambil foto berikutnya, atau Selesai.").format(
                self._taken
            )
        )
        self.photo_taken.emit(image)

    def _camera_error(self, _error: QCamera.Error, text: str) -> None:
        log.warning("camera error: %s", text)
        self._fail(
            self.tr(
                "Kamera tidak bisa dipakai (mungkin sedang dipakai program lain). Tutup program itu lalu coba lagi."
            )
        )

    def _capture_error(self, _id: int, _error: QImageCapture.Error, text: str) -> None:
        log.warning("capture error: %s", text)
        self._fail(self.tr("Foto gagal diambil. Coba lagi."))

    def _fail(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()
        self._update()

    def done(self, result: int) -> None:
        if self.camera is not None:
            self.camera.stop()
        super().done(result)
