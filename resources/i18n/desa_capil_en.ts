<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US" sourcelanguage="id_ID">
    <context>
        <name>ApplicantStep</name>
        <message>
            <location filename="../../desa_capil/ui/intake/applicant_step.py" line="147" />
            <source>16 angka, lihat KTP atau KK</source>
            <translation>16 digits, see the ID card or family card</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/applicant_step.py" line="151" />
            <source>Sesuai KTP/KK</source>
            <translation>As on the ID card / family card</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/applicant_step.py" line="154" />
            <source>16 angka di kanan atas Kartu Keluarga (boleh kosong)</source>
            <translation>16 digits at the top right of the family card (optional)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/applicant_step.py" line="158" />
            <source>08xx, untuk kabar lewat WhatsApp</source>
            <translation>08xx, for news by WhatsApp</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/applicant_step.py" line="161" />
            <source>Dusun/RT/RW</source>
            <translation>Hamlet/RT/RW</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/applicant_step.py" line="166" />
            <source>Catatan untuk petugas Disdukcapil (boleh kosong)</source>
            <translation>Note for the civil registration office (optional)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/applicant_step.py" line="170" />
            <location filename="../../desa_capil/ui/intake/applicant_step.py" line="309" />
            <source>Data pemohon</source>
            <translation>Applicant</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/applicant_step.py" line="190" />
            <source>&amp;NIK *</source>
            <translation>&amp;NIK *</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/applicant_step.py" line="191" />
            <source>Na&amp;ma lengkap *</source>
            <translation>Full na&amp;me *</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/applicant_step.py" line="192" />
            <source>N&amp;omor KK</source>
            <translation>Family card n&amp;umber</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/applicant_step.py" line="193" />
            <source>&amp;HP / WhatsApp</source>
            <translation>&amp;Mobile / WhatsApp</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/applicant_step.py" line="194" />
            <source>&amp;Alamat</source>
            <translation>&amp;Address</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/applicant_step.py" line="195" />
            <source>Keperluan men&amp;desak</source>
            <translation>&amp;Urgent need</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/applicant_step.py" line="196" />
            <source>&amp;Catatan</source>
            <translation>&amp;Notes</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/applicant_step.py" line="212" />
            <source>Cetak &amp;formulir…</source>
            <translation>Print &amp;forms…</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/applicant_step.py" line="215" />
            <source>Formulir terisi data di atas, untuk diperiksa dan ditandatangani warga</source>
            <translation>Forms filled with the data above, for the resident to check and sign</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/applicant_step.py" line="228" />
            <source>* wajib diisi</source>
            <translation>* required</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/applicant_step.py" line="309" />
            <source>Data pemohon (pelapor)</source>
            <translation>Applicant (reporter)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/applicant_step.py" line="317" />
            <source>HH-BB-TTTT, misalnya 17-08-2025</source>
            <translation>DD-MM-YYYY, e.g. 17-08-2025</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/applicant_step.py" line="334" />
            <source>Nama lengkap {0}</source>
            <translation>Full name of the {0}</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/applicant_step.py" line="336" />
            <source>NIK {0} (16 angka)</source>
            <translation>NIK of the {0} (16 digits)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/applicant_step.py" line="338" />
            <source>NIK, bila sudah ada</source>
            <translation>NIK, if there is one</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/applicant_step.py" line="347" />
            <source>NIK {0}</source>
            <translation>NIK of the {0}</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/applicant_step.py" line="361" />
            <source>Sekaligus ({0})</source>
            <translation>Together ({0})</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/applicant_step.py" line="371" />
            <source>Perekaman</source>
            <translation>Recording</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/applicant_step.py" line="373" />
            <source>Data {0}</source>
            <translation>{0} details</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/applicant_step.py" line="380" />
            <source>Tanda terima dokumen asli yang disimpan desa</source>
            <translation>Receipt for the originals the village keeps</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/applicant_step.py" line="480" />
            <source>Tanggal ditulis HH-BB-TTTT, misalnya 17-08-2025.</source>
            <translation>Write the date as DD-MM-YYYY, e.g. 17-08-2025.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/applicant_step.py" line="483" />
            <source>Boleh dikosongkan, tetapi batas waktu lapor tidak bisa diperiksa.</source>
            <translation>May stay empty, but the reporting deadline cannot be checked then.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/applicant_step.py" line="512" />
            <source>Warga ini sudah pernah mengajukan permohonan; datanya diisi otomatis. Periksa kembali.</source>
            <translation>This resident has applied before; their details were filled in. Please check them.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/applicant_step.py" line="530" />
            <source>Kec. {0}, {1}</source>
            <translation>Kec. {0}, {1}</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/applicant_step.py" line="538" />
            <source>Kode wilayah {0} tidak ada di daftar Kemendagri 2025 (wilayah lama yang sudah dimekarkan?). Cocokkan dengan kartunya; boleh dilanjutkan.</source>
            <translation>Area code {0} is not in the 2025 Kemendagri list (an old region since split?). Compare with the card; you may go on.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/applicant_step.py" line="546" />
            <source>✓ Nomor KK benar · dikeluarkan {0} · {1}</source>
            <translation>✓ Family card number valid · issued {0} · {1}</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/applicant_step.py" line="549" />
            <source>perempuan</source>
            <translation>female</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/applicant_step.py" line="549" />
            <source>laki-laki</source>
            <translation>male</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/applicant_step.py" line="550" />
            <source>✓ NIK benar · lahir {0} · {1} · {2}</source>
            <translation>✓ NIK valid · born {0} · {1} · {2}</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/applicant_step.py" line="578" />
            <source>Nomor HP diawali 08 atau +62, 10 sampai 14 angka. Boleh dikosongkan.</source>
            <translation>A mobile number starts with 08 or +62 and has 10 to 14 digits. It may be left empty.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/applicant_step.py" line="588" />
            <source>Nama pemohon belum diisi.</source>
            <translation>The applicant's name is empty.</translation>
        </message>
    </context>
    <context>
        <name>ApplicationDetailDialog</name>
        <message>
            <location filename="../../desa_capil/ui/detail_dialog.py" line="59" />
            <source>Rincian permohonan</source>
            <translation>Application details</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/detail_dialog.py" line="87" />
            <source>NIK</source>
            <translation>NIK</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/detail_dialog.py" line="88" />
            <source>No. KK</source>
            <translation>Family card no.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/detail_dialog.py" line="89" />
            <source>HP / WhatsApp</source>
            <translation>Phone / WhatsApp</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/detail_dialog.py" line="91" />
            <source>Alamat</source>
            <translation>Address</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/detail_dialog.py" line="92" />
            <source>Diterima di desa</source>
            <translation>Taken in at the village</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/detail_dialog.py" line="94" />
            <source>Dikirim</source>
            <translation>Sent</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/detail_dialog.py" line="96" />
            <source>Catatan</source>
            <translation>Notes</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/detail_dialog.py" line="99" />
            <source>Pesan dari Disdukcapil: {0}</source>
            <translation>Message from the office: {0}</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/detail_dialog.py" line="105" />
            <source>Riwayat</source>
            <translation>History</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/detail_dialog.py" line="107" />
            <source>Tanggal</source>
            <translation>Date</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/detail_dialog.py" line="107" />
            <source>Status</source>
            <translation>Status</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/detail_dialog.py" line="107" />
            <source>Oleh</source>
            <translation>By</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/detail_dialog.py" line="107" />
            <source>Pesan</source>
            <translation>Message</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/detail_dialog.py" line="111" />
            <source>Disdukcapil</source>
            <translation>Office</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/detail_dialog.py" line="111" />
            <source>Desa</source>
            <translation>Village</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/detail_dialog.py" line="115" />
            <source>Kertas dan halaman</source>
            <translation>Papers and pages</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/detail_dialog.py" line="117" />
            <source>Kertas</source>
            <translation>Paper</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/detail_dialog.py" line="117" />
            <source>Halaman</source>
            <translation>Page</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/detail_dialog.py" line="117" />
            <source>Terkirim</source>
            <translation>Sent</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/detail_dialog.py" line="117" />
            <source>Ukuran</source>
            <translation>Size</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/detail_dialog.py" line="121" />
            <source>{0} hal.</source>
            <translation>{0} p.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/detail_dialog.py" line="121" />
            <source>belum</source>
            <translation>not yet</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/detail_dialog.py" line="122" />
            <source>dihapus (retensi)</source>
            <translation>deleted (retention)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/detail_dialog.py" line="127" />
            <source>Kiriman dan dokumen</source>
            <translation>Batches and documents</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/detail_dialog.py" line="130" />
            <source>perbaikan</source>
            <translation>fix</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/detail_dialog.py" line="130" />
            <source>pertama</source>
            <translation>first</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/detail_dialog.py" line="132" />
            <source>Kiriman {0} ({1}), disegel {2}: {3}</source>
            <translation>Batch {0} ({1}), sealed {2}: {3}</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/detail_dialog.py" line="140" />
            <source>Dokumen dari Disdukcapil: {0}</source>
            <translation>Documents from the office: {0}</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/detail_dialog.py" line="144" />
            <source>Diserahkan kepada {0} ({1}) pada {2}</source>
            <translation>Handed over to {0} ({1}) on {2}</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/detail_dialog.py" line="157" />
            <source>Cetak tanda terima berkas</source>
            <translation>Print intake receipt</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/detail_dialog.py" line="160" />
            <source>Cetak tanda terima penyerahan</source>
            <translation>Print hand-over receipt</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/detail_dialog.py" line="164" />
            <source>Kabari warga</source>
            <translation>Tell the resident</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/detail_dialog.py" line="168" />
            <source>Ubah</source>
            <translation>Edit</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/detail_dialog.py" line="172" />
            <source>Tutup</source>
            <translation>Close</translation>
        </message>
    </context>
    <context>
        <name>AssignFilesDialog</name>
        <message>
            <location filename="../../desa_capil/ui/intake/assign_dialog.py" line="60" />
            <source>Berkas untuk kertas yang mana?</source>
            <translation>Which paper is each file?</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/assign_dialog.py" line="70" />
            <source>{0} berkas dipilih. Tiap berkas diusulkan untuk kertas berikutnya yang belum ada halamannya, sesuai urutan daftar. Ubah bila perlu, lalu tekan Masukkan.</source>
            <translation>{0} files chosen. Each file is suggested for the next paper without pages, in the order of the list. Change it if needed, then press Add.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/assign_dialog.py" line="101" />
            <source>Semua ke kertas terpilih</source>
            <translation>All into the selected paper</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/assign_dialog.py" line="104" />
            <source>Semua berkas menjadi halaman “{0}”</source>
            <translation>All files become pages of “{0}”</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/assign_dialog.py" line="108" />
            <source>Batal</source>
            <translation>Cancel</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/assign_dialog.py" line="111" />
            <source>Masukkan</source>
            <translation>Add</translation>
        </message>
    </context>
    <context>
        <name>AuditDialog</name>
        <message>
            <location filename="../../desa_capil/ui/audit_dialog.py" line="89" />
            <source>Catatan akses data warga</source>
            <translation>Residents' data access log</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/audit_dialog.py" line="98" />
            <source>Siapa membuka, mencetak, atau mengekspor data dan berkas warga (UU 27/2022 tentang Pelindungan Data Pribadi). Yang terbaru di atas.</source>
            <translation>Who opened, printed or exported residents' data and papers (Law 27/2022 on Personal Data Protection). Newest first.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/audit_dialog.py" line="106" />
            <source>Cari nama petugas, nama warga, atau nomor permohonan...</source>
            <translation>Search operator name, resident name or application number...</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/audit_dialog.py" line="110" />
            <source>Semua tindakan</source>
            <translation>All actions</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/audit_dialog.py" line="120" />
            <source>Tanggal</source>
            <translation>Date</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/audit_dialog.py" line="120" />
            <source>Petugas</source>
            <translation>Operator</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/audit_dialog.py" line="120" />
            <source>Tindakan</source>
            <translation>Action</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/audit_dialog.py" line="120" />
            <source>Warga</source>
            <translation>Resident</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/audit_dialog.py" line="130" />
            <source>Tutup</source>
            <translation>Close</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/audit_dialog.py" line="183" />
            <source>(tanpa petugas)</source>
            <translation>(no operator)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/audit_dialog.py" line="190" />
            <source>Nomor permohonan: {0}</source>
            <translation>Application number: {0}</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/audit_dialog.py" line="193" />
            <source>%1 catatan (paling banyak %2 ditampilkan)</source>
            <translation>%1 entries (at most %2 shown)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/audit_dialog.py" line="38" />
            <source>Membuka data permohonan</source>
            <translation>Opened application data</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/audit_dialog.py" line="39" />
            <source>Melihat halaman pindaian</source>
            <translation>Viewed scanned pages</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/audit_dialog.py" line="40" />
            <source>Mencetak tanda terima</source>
            <translation>Printed a receipt</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/audit_dialog.py" line="41" />
            <source>Mencetak dokumen dari Disdukcapil</source>
            <translation>Printed a document from the office</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/audit_dialog.py" line="42" />
            <source>Membuka dokumen dari Disdukcapil</source>
            <translation>Opened a document from the office</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/audit_dialog.py" line="43" />
            <source>Tanda terima penyerahan dibuat</source>
            <translation>Hand-over receipt made</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/audit_dialog.py" line="44" />
            <source>Mengekspor laporan</source>
            <translation>Exported a report</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/audit_dialog.py" line="45" />
            <source>Menyimpan berkas ke luar aplikasi</source>
            <translation>Saved a file outside the app</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/audit_dialog.py" line="46" />
            <source>Menampilkan kode pemulihan</source>
            <translation>Showed the recovery code</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/audit_dialog.py" line="47" />
            <source>Mengubah PIN</source>
            <translation>Changed the PIN</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/audit_dialog.py" line="48" />
            <source>Pindaian dihapus (masa simpan habis)</source>
            <translation>Scans deleted (retention period over)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/audit_dialog.py" line="49" />
            <source>Data diarsipkan</source>
            <translation>Data archived</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/audit_dialog.py" line="50" />
            <source>Data dicadangkan ke flashdisk</source>
            <translation>Data backed up to a USB stick</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/audit_dialog.py" line="51" />
            <source>Data dipulihkan dari cadangan</source>
            <translation>Data restored from a backup</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/audit_dialog.py" line="62" />
            <source>penyerahan</source>
            <translation>hand-over</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/audit_dialog.py" line="63" />
            <source>berkas</source>
            <translation>intake</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/audit_dialog.py" line="64" />
            <source>diterima di desa</source>
            <translation>arrived at the village</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/audit_dialog.py" line="65" />
            <source>rincian dan riwayat</source>
            <translation>details and history</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/audit_dialog.py" line="66" />
            <source>rekap bulanan</source>
            <translation>monthly recap</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/audit_dialog.py" line="53" />
            <source>Mencatat dokumen tiba di desa</source>
            <translation>Recorded a document arriving at the village</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/audit_dialog.py" line="54" />
            <source>Menyerahkan dokumen ke warga</source>
            <translation>Handed a document over to the resident</translation>
        </message>
    </context>
    <context>
        <name>BackupBanner</name>
        <message>
            <location filename="../../desa_capil/ui/backup_dialog.py" line="152" />
            <source>Cadangkan ke flashdisk…</source>
            <translation>Back up to a USB stick…</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/backup_dialog.py" line="174" />
            <source>Data laptop ini belum pernah dicadangkan. Cadangkan ke flashdisk seminggu sekali.</source>
            <translation>This laptop's data has never been backed up. Back it up to a USB stick once a week.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/backup_dialog.py" line="178" />
            <source>Cadangan terakhir: %1, lebih dari seminggu lalu. Cadangkan ke flashdisk sekarang.</source>
            <translation>Last backup: %1, more than a week ago. Back up to a USB stick now.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/backup_dialog.py" line="181" />
            <source>Cadangan terakhir: %1.</source>
            <translation>Last backup: %1.</translation>
        </message>
    </context>
    <context>
        <name>BackupSettingsGroup</name>
        <message>
            <location filename="../../desa_capil/ui/backup_dialog.py" line="200" />
            <source>Cadangan ke flashdisk</source>
            <translation>Backup to a USB stick</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/backup_dialog.py" line="211" />
            <source>Cadangan terenkripsi: tanpa kode pemulihan isinya tidak bisa dibaca. Di laptop baru atau setelah Windows dipasang ulang, pulihkan dengan flashdisk itu dan kode pemulihan, lalu daftarkan laptop lagi ke Disdukcapil dengan kode pendaftaran baru.</source>
            <translation>The backup is encrypted: without the recovery code nobody can read it. On a new laptop or after reinstalling Windows, restore it with that stick and the recovery code, then enroll the laptop with the office again using a new enrollment code.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/backup_dialog.py" line="221" />
            <source>Cadangkan ke flashdisk…</source>
            <translation>Back up to a USB stick…</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/backup_dialog.py" line="224" />
            <source>Pulihkan dari cadangan…</source>
            <translation>Restore from a backup…</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/backup_dialog.py" line="236" />
            <source>Pulihkan dari cadangan</source>
            <translation>Restore from a backup</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/backup_dialog.py" line="238" />
            <source>Pemulihan dilakukan saat aplikasi dibuka, sebelum data dibuka. Data yang ada sekarang tidak dihapus: disisihkan ke folder 'sebelum-pulihkan'. Tutup aplikasi, pasang flashdisk cadangan, lalu buka aplikasi lagi. Lanjutkan?</source>
            <translation>The restore happens when the app starts, before the data is opened. The data here now is not deleted: it is moved to a 'sebelum-pulihkan' folder. Close the app, plug in the backup stick, then open the app again. Continue?</translation>
        </message>
    </context>
    <context>
        <name>BatchContentsDialog</name>
        <message>
            <location filename="../../desa_capil/ui/batch_contents.py" line="38" />
            <source>Isi kiriman</source>
            <translation>Batch contents</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/batch_contents.py" line="42" />
            <source>Kiriman {0}: {1} permohonan</source>
            <translation>Batch {0}: {1} applications</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/batch_contents.py" line="52" />
            <source>Warga</source>
            <translation>Resident</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/batch_contents.py" line="52" />
            <source>Layanan</source>
            <translation>Service</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/batch_contents.py" line="52" />
            <source>Status sekarang</source>
            <translation>Status now</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/batch_contents.py" line="52" />
            <source>Halaman</source>
            <translation>Page</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/batch_contents.py" line="61" />
            <source>(perbaikan)</source>
            <translation>(fix)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/batch_contents.py" line="70" />
            <source>Klik dua kali sebuah permohonan untuk melihat rinciannya.</source>
            <translation>Double-click an application to see its details.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/batch_contents.py" line="75" />
            <source>Tutup</source>
            <translation>Close</translation>
        </message>
    </context>
    <context>
        <name>BatchesPage</name>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="152" />
            <source>Kiriman ke Disdukcapil</source>
            <translation>Batches to the civil registration office</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="162" />
            <source>Kirim sekarang</source>
            <translation>Send now</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="167" />
            <source>Coba kirim dan ambil kabar dari server sekarang juga</source>
            <translation>Try to send and fetch news from the server right now</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="181" />
            <source>Kirim lewat flashdisk…</source>
            <translation>Send by USB stick…</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="184" />
            <source>Tulis kiriman yang belum diterima kantor ke flashdisk, untuk dibawa ke Disdukcapil</source>
            <translation>Write the batches the office has not received to a USB stick, to carry to the office</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="187" />
            <source>Cadangkan yang belum terkirim…</source>
            <translation>Back up what was not sent…</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="202" />
            <source>Kirim lewat flashdisk</source>
            <translation>Send by USB stick</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="218" />
            <source>Segel yang dipilih</source>
            <translation>Seal selected</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="219" />
            <source>Segel semua yang siap</source>
            <translation>Seal all ready</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="240" />
            <source>Disegel</source>
            <translation>Sealed</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="241" />
            <source>Permohonan</source>
            <translation>Applications</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="242" />
            <source>Halaman</source>
            <translation>Pages</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="243" />
            <source>Ukuran</source>
            <translation>Size</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="244" />
            <source>Status</source>
            <translation>Status</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="245" />
            <source>Jalur</source>
            <translation>Route</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="246" />
            <source>Kemajuan</source>
            <translation>Progress</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="247" />
            <source>Keterangan</source>
            <translation>Details</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="260" />
            <source>Klik dua kali untuk melihat isi kiriman</source>
            <translation>Double-click to see what the batch holds</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="261" />
            <source>Coba kirim lagi</source>
            <translation>Try sending again</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="262" />
            <source>Masukkan lagi kiriman yang disisihkan ke antrean kirim</source>
            <translation>Put the set-aside batch back in the sending queue</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="265" />
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="733" />
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="739" />
            <source>Batalkan kiriman</source>
            <translation>Cancel batch</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="269" />
            <source>Kembalikan permohonan dalam kiriman yang disisihkan ke antrean 'Siap dikirim' agar bisa diperbaiki dan disegel ulang</source>
            <translation>Return the applications of the set-aside batch to the 'Ready to send' queue so they can be fixed and sealed again</translation>
        </message>
        <message>
            <source>Cetak daftar dokumen asli</source>
            <translation type="vanished">Print list of originals</translation>
        </message>
        <message>
            <source>Daftar dokumen asli yang dibawa kurir ke Disdukcapil, untuk ditandatangani kepala desa</source>
            <translation type="vanished">List of the originals the courier takes to Disdukcapil, for the village head to sign</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="285" />
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="629" />
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="634" />
            <source>Buka segel</source>
            <translation>Unseal</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="289" />
            <source>Kembalikan permohonan kiriman ini ke daftar 'Siap disegel' untuk diubah. Hanya bisa selama pengirimannya belum dimulai.</source>
            <translation>Put this batch's applications back in the 'Ready to seal' list to change them. Only until its upload has started.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="295" />
            <source>Daftar kiriman</source>
            <translation>Batch list</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="312" />
            <source>Dicatat</source>
            <translation>Recorded</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="312" />
            <source>Warga</source>
            <translation>Resident</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="312" />
            <source>Kejadian</source>
            <translation>Event</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="312" />
            <source>Alasan penolakan</source>
            <translation>Reason for refusal</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="321" />
            <source>Coba lagi</source>
            <translation>Try again</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="323" />
            <source>Masukkan lagi catatan yang ditolak ke antrean kirim</source>
            <translation>Put the refused records back in the send queue</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="451" />
            <source>(perbaikan)</source>
            <translation>(correction)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="456" />
            <source>Siap disegel: %1 permohonan</source>
            <translation>Ready to seal: %1 applications</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="463" />
            <source>Menunggu konfirmasi</source>
            <translation>Awaiting confirmation</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="465" />
            <source>Menunggu dikirim</source>
            <translation>Waiting to be sent</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="466" />
            <source>Sedang dikirim</source>
            <translation>Sending</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="467" />
            <source>Diterima Disdukcapil</source>
            <translation>Received by the office</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="468" />
            <source>Disisihkan</source>
            <translation>Set aside</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="469" />
            <source>Dibatalkan</source>
            <translation>Cancelled</translation>
        </message>
        <message>
            <source>Flashdisk, diterima kantor %1</source>
            <translation type="vanished">USB stick, received by the office %1</translation>
        </message>
        <message>
            <source>Internet, diterima kantor %1</source>
            <translation type="vanished">Internet, received by the office %1</translation>
        </message>
        <message>
            <source>Flashdisk %1, menunggu konfirmasi kantor</source>
            <translation type="vanished">USB stick %1, waiting for the office's confirmation</translation>
        </message>
        <message>
            <source>(%1x dibawa)</source>
            <translation type="vanished">(carried %1x)</translation>
        </message>
        <message>
            <source>Internet (menunggu sambungan)</source>
            <translation type="vanished">Internet (waiting for a connection)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="504" />
            <source>%1/%2 berkas · %3 dari %4</source>
            <translation>%1/%2 files · %3 of %4</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="522" />
            <source>%1/dtk · sisa %2</source>
            <translation>%1/s · %2 left</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="587" />
            <source>Laptop ini belum pernah terhubung ke server dan %1 kiriman menunggu. Kirim lewat flashdisk ke kantor Disdukcapil?</source>
            <translation>This laptop has never reached the server and %1 batches are waiting. Send them to the office by USB stick?</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="592" />
            <source>Server tidak terjangkau sejak %2 dan %1 kiriman menunggu. Kirim lewat flashdisk ke kantor Disdukcapil?</source>
            <translation>The server has not been reachable since %2 and %1 batches are waiting. Send them to the office by USB stick?</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="631" />
            <source>Buka segel kiriman ini? %1 permohonan di dalamnya kembali ke daftar 'Siap disegel' dan bisa diubah lagi. Catatan kiriman ini tetap disimpan sebagai dibatalkan.</source>
            <translation>Unseal this batch? Its %1 applications go back to the 'Ready to seal' list and can be changed again. The batch stays on record as cancelled.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="654" />
            <source>Daftar dokumen asli</source>
            <translation>List of originals</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="735" />
            <source>Batalkan kiriman ini? %1 permohonan di dalamnya kembali ke daftar 'Siap disegel' (atau 'Perlu perbaikan') supaya datanya bisa diperbaiki lalu disegel ulang. Catatan kiriman ini tetap disimpan.</source>
            <translation>Cancel this batch? Its %1 applications go back to the 'Ready to seal' list (or 'Needs fixing') so their data can be fixed and sealed again. The record of this batch is kept.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="635" />
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="740" />
            <source>Jangan</source>
            <translation>Don't</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="276" />
            <source>Daftar asli</source>
            <translation>Originals list</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="280" />
            <source>Cetak daftar dokumen asli yang dibawa kurir ke Disdukcapil, untuk ditandatangani kepala desa</source>
            <translation>Print the list of originals the courier takes to Disdukcapil, for the village head to sign</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="479" />
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="483" />
            <source>Flashdisk %1</source>
            <translation>USB stick %1</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="479" />
            <source>Internet %1</source>
            <translation>Internet %1</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="484" />
            <source>Internet</source>
            <translation>Internet</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="487" />
            <source>Dibawa flashdisk %1</source>
            <translation>Carried on a USB stick %1</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="491" />
            <source>Diterima kantor %1 (konfirmasi lewat flashdisk)</source>
            <translation>Received by the office %1 (confirmed by USB stick)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="493" />
            <source>Diterima kantor %1 (lewat internet)</source>
            <translation>Received by the office %1 (over the internet)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="497" />
            <source>Menunggu konfirmasi kantor (lewat internet atau berkas balasan kantor)</source>
            <translation>Waiting for the office's confirmation (over the internet or in the office's return file)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="514" />
            <source>%1/%2 berkas · %4</source>
            <translation>%1/%2 files · %4</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="755" />
            <source>Dokumen diterima di desa</source>
            <translation>Document arrived at the village</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="756" />
            <source>Dokumen diserahkan ke warga</source>
            <translation>Document handed to the resident</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="757" />
            <source>(tidak terbaca)</source>
            <translation>(unreadable)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="775" />
            <source>%1 catatan ditolak server Disdukcapil dan tidak akan terkirim sendiri. Hubungi petugas Disdukcapil dengan alasan di bawah ini.</source>
            <translation>%1 records were refused by the Disdukcapil server and will not be sent by themselves. Contact the Disdukcapil officer with the reason below.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="808" />
            <source>Belum pernah berhasil terhubung ke server</source>
            <translation>Never connected to the server yet</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="811" />
            <source>Kontak terakhir dengan server: %1</source>
            <translation>Last contact with the server: %1</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="817" />
            <source>Menunggu diunggah: %1</source>
            <translation>Waiting to upload: %1</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/batches_page.py" line="819" />
            <source>Tidak ada data yang menunggu diunggah</source>
            <translation>Nothing waiting to upload</translation>
        </message>
    </context>
    <context>
        <name>Camera</name>
        <message>
            <location filename="../../desa_capil/ui/camera.py" line="40" />
            <source>Tidak ada kamera yang terpasang di laptop ini. Pasang webcam, atau sambungkan ponsel lewat kabel USB sebagai webcam, lalu coba lagi. Anda juga bisa memotret kertas dengan ponsel dan mengimpor fotonya lewat “Impor berkas”.</source>
            <translation>There is no camera on this laptop. Plug in a webcam, or connect a phone by USB cable as a webcam, and try again. You can also photograph the paper with a phone and import the photo with “Import file”.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/camera.py" line="50" />
            <source>Kamera tidak ditemukan</source>
            <translation>No camera found</translation>
        </message>
    </context>
    <context>
        <name>CameraDialog</name>
        <message>
            <location filename="../../desa_capil/ui/camera.py" line="77" />
            <source>Kamera</source>
            <translation>Camera</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/camera.py" line="95" />
            <source>Letakkan kertas di permukaan gelap, seluruh kertas terlihat, tanpa bayangan.</source>
            <translation>Put the paper on a dark surface, the whole sheet in view, without shadows.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/camera.py" line="97" />
            <source>Foto masuk ke “{0}”. </source>
            <translation>Photos go to “{0}”. </translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/camera.py" line="105" />
            <source>Ambil &amp;foto (Spasi)</source>
            <translation>Take &amp;photo (Space)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/camera.py" line="110" />
            <source>&amp;Selesai</source>
            <translation>&amp;Done</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/camera.py" line="115" />
            <source>Kamera:</source>
            <translation>Camera:</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/camera.py" line="161" />
            <source>{0} foto diambil. Ganti kertas lalu ambil foto berikutnya, atau Selesai.</source>
            <translation>{0} photos taken. Change the paper and take the next photo, or Done.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/camera.py" line="171" />
            <source>Kamera tidak bisa dipakai (mungkin sedang dipakai program lain). Tutup program itu lalu coba lagi.</source>
            <translation>The camera cannot be used (another program may be using it). Close that program and try again.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/camera.py" line="177" />
            <source>Foto gagal diambil. Coba lagi.</source>
            <translation>The photo could not be taken. Try again.</translation>
        </message>
    </context>
    <context>
        <name>DashboardPage</name>
        <message>
            <location filename="../../desa_capil/ui/pages/dashboard_page.py" line="156" />
            <source>Beranda</source>
            <translation>Home</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/dashboard_page.py" line="161" />
            <source>Permohonan Baru</source>
            <translation>New Application</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/dashboard_page.py" line="202" />
            <source>Perlu perhatian</source>
            <translation>Needs attention</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/dashboard_page.py" line="206" />
            <source>Permohonan mendesak didahulukan, lalu dokumen yang lama menunggu, yang diminta diperbaiki, dan yang ditolak Disdukcapil (warga perlu dikabari).</source>
            <translation>Urgent applications first, then documents waiting long, those the office asked to fix, and those it refused (the resident must be told).</translation>
        </message>
        <message>
            <source>Permohonan mendesak didahulukan, lalu yang diminta diperbaiki oleh Disdukcapil.</source>
            <translation type="vanished">Urgent applications first, then those the office asked to correct.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/dashboard_page.py" line="235" />
            <source>Tidak ada yang mendesak. Bagus!</source>
            <translation>Nothing urgent. Well done!</translation>
        </message>
        <message numerus="yes">
            <location filename="../../desa_capil/ui/pages/dashboard_page.py" line="322" />
            <source>menunggu diambil %n hari</source>
            <translation>
                <numerusform>waiting for pickup %n day</numerusform>
                <numerusform>waiting for pickup %n days</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>DistributionPage</name>
        <message>
            <location filename="../../desa_capil/ui/pages/distribution_page.py" line="103" />
            <source>Siap Dibagikan</source>
            <translation>Ready to Hand Out</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/distribution_page.py" line="108" />
            <source>Cetak Dokumen</source>
            <translation>Print Document</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/distribution_page.py" line="111" />
            <source>Cetak PDF bertanda tangan elektronik dari Disdukcapil di kertas A4</source>
            <translation>Print the office's electronically signed PDF on A4 paper</translation>
        </message>
        <message>
            <source>Kabari lewat WA</source>
            <translation type="vanished">Notify by WhatsApp</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/distribution_page.py" line="113" />
            <source>Kabari Warga</source>
            <translation>Tell Resident</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/distribution_page.py" line="115" />
            <location filename="../../desa_capil/ui/pages/distribution_page.py" line="439" />
            <source>Diterima di Desa</source>
            <translation>Arrived at the Village</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/distribution_page.py" line="117" />
            <source>Serahkan ke Warga</source>
            <translation>Hand Over to Resident</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/distribution_page.py" line="130" />
            <source>Cari nama, NIK, layanan, atau nama dokumen...</source>
            <translation>Search name, NIK, service or document...</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/distribution_page.py" line="135" />
            <source>Semua layanan</source>
            <translation>All services</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/distribution_page.py" line="144" />
            <source>Batas menunggu</source>
            <translation>Waiting limit</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/distribution_page.py" line="150" />
            <source> hari</source>
            <translation> days</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/distribution_page.py" line="151" />
            <source>Dokumen yang menunggu diambil lebih lama dari ini ditandai merah</source>
            <translation>Documents waiting longer than this are marked red</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/distribution_page.py" line="182" />
            <source>Warga</source>
            <translation>Resident</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/distribution_page.py" line="183" />
            <source>Layanan</source>
            <translation>Service</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/distribution_page.py" line="184" />
            <source>Dokumen</source>
            <translation>Document</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/distribution_page.py" line="185" />
            <source>Status</source>
            <translation>Status</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/distribution_page.py" line="186" />
            <source>Menunggu</source>
            <translation>Waiting</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/distribution_page.py" line="187" />
            <source>WhatsApp</source>
            <translation>WhatsApp</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/distribution_page.py" line="308" />
            <source>{0} siap diambil · {1} dalam perjalanan dari Disdukcapil · {2} lewat batas waktu</source>
            <translation>{0} ready for pickup · {1} on the way from the office · {2} overdue</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/distribution_page.py" line="316" />
            <source>{0} warga tidak punya nomor WhatsApp yang benar: kabari dengan kunjungan atau lewat RT/RW.</source>
            <translation>{0} residents have no valid WhatsApp number: tell them by a visit or through the RT/RW.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/distribution_page.py" line="330" />
            <source>Belum ada dokumen yang perlu dibagikan.</source>
            <translation>No documents to hand out yet.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/distribution_page.py" line="332" />
            <source>Tidak ada dokumen yang cocok dengan pencarian atau saringan ini.</source>
            <translation>No documents match this search or filter.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/distribution_page.py" line="345" />
            <source>Kiriman {0}</source>
            <translation>Dispatch {0}</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/distribution_page.py" line="347" />
            <source>Kiriman tanpa nomor</source>
            <translation>Dispatch without number</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/distribution_page.py" line="352" />
            <source>Dikirim {0}</source>
            <translation>Sent {0}</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/distribution_page.py" line="353" />
            <source>{0} dokumen</source>
            <translation>{0} documents</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/distribution_page.py" line="366" />
            <source>(PDF siap cetak)</source>
            <translation>(PDF ready to print)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/distribution_page.py" line="76" />
            <source>Siap diambil</source>
            <translation>Ready for pickup</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/distribution_page.py" line="75" />
            <source>Dalam perjalanan</source>
            <translation>On the way</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/distribution_page.py" line="370" />
            <source>{0} hari</source>
            <translation>{0} days</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/distribution_page.py" line="371" />
            <source>Tidak ada – kunjungi</source>
            <translation>None – visit</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/distribution_page.py" line="390" />
            <source>Sudah melewati batas waktu menunggu</source>
            <translation>Past the waiting limit</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/distribution_page.py" line="437" />
            <source>Diterima di Desa ({0})</source>
            <translation>Arrived at the Village ({0})</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/distribution_page.py" line="448" />
            <source>Dokumen masih dalam perjalanan. Tandai "Diterima di Desa" dulu, lalu kabari warga.</source>
            <translation>The document is still on its way. Mark it "Arrived at the village" first, then tell the resident.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/distribution_page.py" line="453" />
            <source>Pesan WhatsApp (kode QR untuk HP, atau salin) atau surat pemberitahuan untuk dicetak</source>
            <translation>WhatsApp message (QR code for a phone, or copy it) or a notice to print</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/distribution_page.py" line="526" />
            <source>Penyerahan tersimpan</source>
            <translation>Hand-over saved</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/distribution_page.py" line="527" />
            <source>Penyerahan sudah dicatat dan akan dikirim ke Disdukcapil. Cetak tanda terima sekarang?</source>
            <translation>The hand-over is recorded and will be sent to the office. Print the receipt now?</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/distribution_page.py" line="528" />
            <source>Cetak Tanda Terima</source>
            <translation>Print Receipt</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/distribution_page.py" line="529" />
            <source>Nanti saja</source>
            <translation>Later</translation>
        </message>
        <message>
            <source>Tanda terima penyerahan</source>
            <translation type="vanished">Hand-over receipt</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/distribution_page.py" line="74" />
            <source>Semua</source>
            <translation>All</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/distribution_page.py" line="77" />
            <source>Lewat batas waktu</source>
            <translation>Overdue</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/distribution_page.py" line="78" />
            <source>Perlu dikunjungi (tanpa WA)</source>
            <translation>Needs a visit (no WhatsApp)</translation>
        </message>
    </context>
    <context>
        <name>EnrollFromStickDialog</name>
        <message>
            <location filename="../../desa_capil/ui/usb_enroll_dialog.py" line="59" />
            <source>Daftarkan dari flashdisk</source>
            <translation>Enroll from a USB stick</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_enroll_dialog.py" line="61" />
            <source>Untuk desa tanpa sinyal: pilih berkas pendaftaran dari kantor Disdukcapil (.dcenroll) di flashdisk, lalu ketik kode yang tercetak di kertas dari kantor. Berkas tanpa kode kertas tidak bisa dipakai, jadi flashdisk yang hilang tidak cukup untuk menyamar.</source>
            <translation>For villages without signal: pick the enrollment file from the Disdukcapil office (.dcenroll) on the stick, then type the code printed on the office's paper. The file cannot be used without the paper code, so a lost stick is not enough to impersonate the village.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_enroll_dialog.py" line="65" />
            <source>Berkas pendaftaran (*.dcenroll)</source>
            <translation>Enrollment file (*.dcenroll)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_enroll_dialog.py" line="84" />
            <source>mis. K7QX-MP3A-RZHD</source>
            <translation>e.g. K7QX-MP3A-RZHD</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_enroll_dialog.py" line="86" />
            <source>Kode pada kertas</source>
            <translation>Code on the paper</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_enroll_dialog.py" line="66" />
            <source>Daftarkan</source>
            <translation>Enroll</translation>
        </message>
        <message>
            <source>Batal</source>
            <translation type="vanished">Cancel</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_enroll_dialog.py" line="107" />
            <source>Desa: %1 (%2). Kantor: %3. Sidik kunci kantor: %4 (cocokkan dengan kertas).</source>
            <translation>Village: %1 (%2). Office: %3. Office key fingerprint: %4 (compare with the paper).</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_enroll_dialog.py" line="125" />
            <source>Mendaftarkan laptop…</source>
            <translation>Enrolling the laptop…</translation>
        </message>
    </context>
    <context>
        <name>ExportDialog</name>
        <message>
            <location filename="../../desa_capil/ui/usb_export_dialog.py" line="82" />
            <source>Cadangkan kiriman yang belum terkirim</source>
            <translation>Back up the batches not yet sent</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_export_dialog.py" line="82" />
            <source>Kirim lewat flashdisk</source>
            <translation>Send by USB stick</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_export_dialog.py" line="87" />
            <source>Semua kiriman dan catatan yang belum diterima kantor ditulis ke satu berkas di flashdisk, terkunci untuk kantor Disdukcapil. Bawa ke kantor bila laptop ini dipindah, rusak, atau dicabut: tidak ada yang hilang dan kantor tidak mencatatnya dua kali.</source>
            <translation>Every batch and note the office has not received is written to one file on the stick, locked for the office. Take it to the office when this laptop is replaced, broken or revoked: nothing is lost and the office does not record anything twice.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_export_dialog.py" line="93" />
            <source>Pilih kiriman yang dibawa, lalu flashdisk tujuannya. Berkasnya terkunci untuk kantor Disdukcapil (flashdisk yang hilang tidak membocorkan data) dan diperiksa ulang setelah ditulis. Kiriman bisa dibawa lagi selama kantor belum menerimanya.</source>
            <translation>Choose the batches to carry, then the stick. The file is locked for the office (a lost stick leaks nothing) and checked again after writing. A batch can be carried again until the office has received it.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_export_dialog.py" line="121" />
            <source>Flashdisk</source>
            <translation>USB stick</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_export_dialog.py" line="126" />
            <source>Pilih folder…</source>
            <translation>Choose folder…</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_export_dialog.py" line="129" />
            <source>Muat ulang</source>
            <translation>Reload</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_export_dialog.py" line="130" />
            <source>Baca lagi daftar flashdisk yang tercolok</source>
            <translation>Read the list of plugged-in sticks again</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_export_dialog.py" line="153" />
            <source>Tulis ke flashdisk</source>
            <translation>Write to stick</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_export_dialog.py" line="159" />
            <source>Tutup</source>
            <translation>Close</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_export_dialog.py" line="191" />
            <source>Segel dulu %1 permohonan yang siap dikirim, supaya ikut dicadangkan</source>
            <translation>Seal the %1 applications ready to send first, so they are backed up too</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_export_dialog.py" line="200" />
            <source>Disegel %1 — %2 permohonan, %3 halaman, %4</source>
            <translation>Sealed %1 — %2 applications, %3 pages, %4</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_export_dialog.py" line="207" />
            <source>(sudah dibawa flashdisk %1, belum ada konfirmasi kantor)</source>
            <translation>(carried on a stick %1, no confirmation from the office yet)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_export_dialog.py" line="244" />
            <source>Tidak ada kiriman yang menunggu kantor.</source>
            <translation>No batch is waiting for the office.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_export_dialog.py" line="246" />
            <location filename="../../desa_capil/ui/usb_export_dialog.py" line="259" />
            <source>%1 catatan (diterima/diserahkan) ikut ditulis.</source>
            <translation>%1 notes (arrived/handed over) are written too.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_export_dialog.py" line="253" />
            <source>Dipilih %1 dari %2 kiriman, sekitar %3.</source>
            <translation>%1 of %2 batches chosen, about %3.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_export_dialog.py" line="276" />
            <source>(tidak ada flashdisk terbaca; pakai Pilih folder…)</source>
            <translation>(no stick found; use Choose folder…)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_export_dialog.py" line="288" />
            <source>Pilih folder tujuan</source>
            <translation>Choose the destination folder</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_export_dialog.py" line="295" />
            <source>Colokkan flashdisk, atau pilih folder tujuan.</source>
            <translation>Plug in a stick, or choose a destination folder.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_export_dialog.py" line="302" />
            <source>Ditulis ke: %1 (ruang kosong %2)</source>
            <translation>Written to: %1 (%2 free)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_export_dialog.py" line="312" />
            <source>Menyegel permohonan yang siap…</source>
            <translation>Sealing the ready applications…</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_export_dialog.py" line="313" />
            <source>Memeriksa flashdisk…</source>
            <translation>Checking the stick…</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_export_dialog.py" line="314" />
            <source>Mengumpulkan berkas kiriman…</source>
            <translation>Collecting the batch files…</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_export_dialog.py" line="315" />
            <source>Menulis dan memeriksa ulang berkas… jangan cabut flashdisk</source>
            <translation>Writing and checking the file… do not pull the stick</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_export_dialog.py" line="316" />
            <source>Mencatat kiriman…</source>
            <translation>Recording the batches…</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_export_dialog.py" line="358" />
            <source>Selesai</source>
            <translation>Done</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_export_dialog.py" line="361" />
            <source>Berkas %1 (%2) sudah ditulis dan diperiksa: %3 kiriman, %4 permohonan, %5 catatan. Cabut flashdisk dengan aman (Safely Remove / Eject), lalu bawa ke kantor Disdukcapil.</source>
            <translation>File %1 (%2) was written and checked: %3 batches, %4 applications, %5 notes. Remove the stick safely (Safely Remove / Eject), then take it to the office.</translation>
        </message>
    </context>
    <context>
        <name>FirstRunWizard</name>
        <message>
            <location filename="../../desa_capil/ui/first_run.py" line="419" />
            <source>Pengaturan awal</source>
            <translation>First-time setup</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/first_run.py" line="422" />
            <source>Lanjut &gt;</source>
            <translation>Next &gt;</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/first_run.py" line="423" />
            <source>&lt; Kembali</source>
            <translation>&lt; Back</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/first_run.py" line="424" />
            <source>Selesai</source>
            <translation>Finish</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/first_run.py" line="425" />
            <source>Batal</source>
            <translation>Cancel</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/first_run.py" line="435" />
            <source>Daftarkan dari flashdisk…</source>
            <translation>Enroll from a USB stick…</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/first_run.py" line="439" />
            <source>Berkas pendaftaran (.dcenroll) dan kode di kertas dari kantor Disdukcapil</source>
            <translation>Enrollment file (.dcenroll) and the paper code from the Disdukcapil office</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/first_run.py" line="471" />
            <source>Terdaftar lewat flashdisk untuk %1. Kiriman lewat flashdisk bisa langsung dipakai.</source>
            <translation>Enrolled by USB stick for %1. Sending by stick can be used right away.</translation>
        </message>
    </context>
    <context>
        <name>HandOverDialog</name>
        <message>
            <location filename="../../desa_capil/ui/handover_dialog.py" line="161" />
            <location filename="../../desa_capil/ui/handover_dialog.py" line="169" />
            <source>Penyerahan Dokumen</source>
            <translation>Document Hand-over</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/handover_dialog.py" line="200" />
            <source>Pemohon sendiri</source>
            <translation>The applicant in person</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/handover_dialog.py" line="201" />
            <source>Diwakilkan anggota keluarga</source>
            <translation>A family member on their behalf</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/handover_dialog.py" line="212" />
            <source>Diterima oleh</source>
            <translation>Received by</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/handover_dialog.py" line="221" />
            <source>Nama lengkap sesuai KTP-el</source>
            <translation>Full name as on the ID card</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/handover_dialog.py" line="229" />
            <source>Pilih atau ketik hubungan</source>
            <translation>Choose or type the relation</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/handover_dialog.py" line="232" />
            <source>16 angka</source>
            <translation>16 digits</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/handover_dialog.py" line="237" />
            <source>Nama penerima</source>
            <translation>Recipient's name</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/handover_dialog.py" line="238" />
            <source>Hubungan</source>
            <translation>Relation</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/handover_dialog.py" line="239" />
            <source>NIK penerima</source>
            <translation>Recipient's NIK</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/handover_dialog.py" line="243" />
            <source>KTP-el / KK penerima sudah diperiksa dan cocok</source>
            <translation>The recipient's ID card / family card was checked and matches</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/handover_dialog.py" line="248" />
            <source>Wajib dicentang: dokumen kependudukan hanya boleh diberikan kepada orang yang identitasnya sudah dicocokkan, agar tidak jatuh ke tangan orang lain. Yang dicentang ikut tercatat di tanda terima.</source>
            <translation>Must be ticked: civil registration documents may only be given to a person whose identity was checked, so they do not fall into the wrong hands. What is ticked is recorded on the receipt.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/handover_dialog.py" line="267" />
            <source>Tanggal dan jam</source>
            <translation>Date and time</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/handover_dialog.py" line="268" />
            <source>Petugas</source>
            <translation>Staff</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/handover_dialog.py" line="272" />
            <source>Tanda tangan (boleh dilewati)</source>
            <translation>Signature (optional)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/handover_dialog.py" line="276" />
            <source>Hapus tanda tangan</source>
            <translation>Clear signature</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/handover_dialog.py" line="279" />
            <source>Lampirkan foto penyerahan...</source>
            <translation>Attach a hand-over photo...</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/handover_dialog.py" line="297" />
            <source>Batal</source>
            <translation>Cancel</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/handover_dialog.py" line="300" />
            <source>Simpan Penyerahan</source>
            <translation>Save Hand-over</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/handover_dialog.py" line="324" />
            <source>(belum dipilih)</source>
            <translation>(none chosen)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/handover_dialog.py" line="346" />
            <source>Periksa dulu KTP-el atau KK penerima, lalu centang kotaknya.</source>
            <translation>Check the recipient's ID card or family card first, then tick the box.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/handover_dialog.py" line="357" />
            <source>NIK benar.</source>
            <translation>NIK valid.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/handover_dialog.py" line="372" />
            <source>Pilih foto penyerahan</source>
            <translation>Choose a hand-over photo</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/handover_dialog.py" line="372" />
            <source>Gambar (*.jpg *.jpeg *.png *.webp)</source>
            <translation>Images (*.jpg *.jpeg *.png *.webp)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/handover_dialog.py" line="379" />
            <source>Foto terlalu besar (maksimal 8 MB).</source>
            <translation>The photo is too large (8 MB at most).</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/handover_dialog.py" line="384" />
            <source>Foto tidak bisa dibaca: {0}</source>
            <translation>The photo cannot be read: {0}</translation>
        </message>
    </context>
    <context>
        <name>IntakeWizard</name>
        <message>
            <location filename="../../desa_capil/ui/intake/wizard.py" line="115" />
            <source>Ubah Permohonan</source>
            <translation>Edit Application</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/wizard.py" line="115" />
            <source>Permohonan Baru</source>
            <translation>New Application</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/wizard.py" line="128" />
            <source>1  Layanan</source>
            <translation>1  Service</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/wizard.py" line="128" />
            <source>2  Data pemohon</source>
            <translation>2  Applicant</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/wizard.py" line="128" />
            <source>3  Kertas &amp;&amp; halaman</source>
            <translation>3  Papers &amp;&amp; pages</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/wizard.py" line="169" />
            <source>← &amp;Kembali</source>
            <translation>← &amp;Back</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/wizard.py" line="170" />
            <location filename="../../desa_capil/ui/intake/wizard.py" line="441" />
            <source>&amp;Lanjut →</source>
            <translation>&amp;Next →</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/wizard.py" line="173" />
            <source>Simpan &amp;&amp; &amp;tutup</source>
            <translation>Save &amp;&amp; &amp;close</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/wizard.py" line="174" />
            <source>Cetak tanda &amp;terima</source>
            <translation>Print &amp;receipt</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/wizard.py" line="177" />
            <source>Cetak tanda terima berkas untuk warga (disimpan untuk dicetak ulang)</source>
            <translation>Print the papers receipt for the resident (kept for reprinting)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/wizard.py" line="302" />
            <source>Permohonan tersimpan</source>
            <translation>Application saved</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/wizard.py" line="303" />
            <source>Cetak tanda terima berkas untuk warga sekarang?</source>
            <translation>Print the papers receipt for the resident now?</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/wizard.py" line="304" />
            <source>Cetak tanda terima</source>
            <translation>Print receipt</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/wizard.py" line="305" />
            <source>Nanti saja</source>
            <translation>Later</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/wizard.py" line="347" />
            <source>Kirim ke Disdukcapil</source>
            <translation>Send to the office</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/wizard.py" line="350" />
            <source>Segel permohonan ini dan kirim ke Disdukcapil? Setelah disegel, permohonan tidak bisa diubah. Selama pengiriman belum dimulai, segel masih bisa dibuka di halaman Kiriman (Buka segel).</source>
            <translation>Seal this application and send it to the office? Once sealed it cannot be changed. Until the upload starts, the seal can still be opened on the Batches page (Unseal).</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/wizard.py" line="358" />
            <source>Kirim &amp;&amp; cetak tanda terima</source>
            <translation>Send &amp;&amp; print receipt</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/wizard.py" line="361" />
            <source>Kirim</source>
            <translation>Send</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/wizard.py" line="363" />
            <source>Belum</source>
            <translation>Not yet</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/wizard.py" line="380" />
            <source>Menyegel…</source>
            <translation>Sealing…</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/wizard.py" line="433" />
            <source>&amp;Kirim ✓</source>
            <translation>&amp;Send ✓</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/wizard.py" line="434" />
            <source>Segel dan kirim ke Disdukcapil (Enter)</source>
            <translation>Seal and send to the office (Enter)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/wizard.py" line="436" />
            <source>&amp;Selesai ✓</source>
            <translation>&amp;Finish ✓</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/wizard.py" line="438" />
            <source>Simpan dan tutup; kirim setelah semua kertas wajib ada halamannya</source>
            <translation>Save and close; send once every required paper has pages</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/wizard.py" line="464" />
            <source>Ganti layanan?</source>
            <translation>Change the service?</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/wizard.py" line="466" />
            <source>Layanan baru tidak memerlukan kertas berikut, dan halamannya akan dihapus: {0}. Lanjutkan?</source>
            <translation>The new service does not need these papers, and their pages will be deleted: {0}. Continue?</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/wizard.py" line="503" />
            <source>Perhatian: warga dengan NIK ini sudah punya permohonan {0} yang masih berjalan (status {1}, dicatat {2}). Pastikan ini bukan permohonan ganda; bila memang permohonan baru, lanjutkan saja.</source>
            <translation>Note: the resident with this NIK already has an open {0} application (status {1}, recorded {2}). Make sure this is not a duplicate; if it is a new request, just go on.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/wizard.py" line="535" />
            <source>Menyimpan…</source>
            <translation>Saving…</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/wizard.py" line="574" />
            <source>Tersimpan sebagai {0} · {1}</source>
            <translation>Saved as {0} · {1}</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/wizard.py" line="586" />
            <source>Belum tersimpan</source>
            <translation>Not saved yet</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/wizard.py" line="621" />
            <source>Tidak bisa diubah</source>
            <translation>Cannot be changed</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/wizard.py" line="622" />
            <source>Permohonan ini sudah dikirim ke Disdukcapil dan tidak bisa diubah lagi.</source>
            <translation>This application has been sent to the office and can no longer be changed.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/wizard.py" line="632" />
            <source>(tanpa pesan)</source>
            <translation>(no message)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/wizard.py" line="635" />
            <source>Pesan dari Disdukcapil: {0}
Tambahkan kertas perbaikan yang diminta, lalu kirim ulang.</source>
            <translation>Message from the office: {0}
Add the corrected papers they asked for, then send again.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/wizard.py" line="700" />
            <source>Tutup permohonan ini?</source>
            <translation>Close this application?</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/wizard.py" line="703" />
            <source>Permohonan {0} belum dikirim. Simpan sebagai draf untuk dilanjutkan nanti, atau hapus?</source>
            <translation>The application of {0} has not been sent. Keep it as a draft to continue later, or delete it?</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/wizard.py" line="704" />
            <source>baru</source>
            <translation>new</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/wizard.py" line="706" />
            <source>Simpan sebagai draf</source>
            <translation>Keep as draft</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/wizard.py" line="708" />
            <source>Hapus</source>
            <translation>Delete</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/wizard.py" line="710" />
            <source>Kembali ke formulir</source>
            <translation>Back to the form</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/wizard.py" line="751" />
            <source>Halaman sedang diproses</source>
            <translation>Pages are being processed</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/wizard.py" line="752" />
            <source>Halaman masih diproses. Tutup sekarang? Halaman yang belum selesai tidak disimpan.</source>
            <translation>Pages are still being processed. Close now? Unfinished pages are not saved.</translation>
        </message>
    </context>
    <context>
        <name>LockScreen</name>
        <message>
            <location filename="../../desa_capil/ui/lock_screen.py" line="135" />
            <source>Aplikasi terkunci</source>
            <translation>App locked</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/lock_screen.py" line="138" />
            <source>Data warga disembunyikan. Masukkan PIN untuk melanjutkan.</source>
            <translation>Residents' data is hidden. Enter the PIN to continue.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/lock_screen.py" line="145" />
            <location filename="../../desa_capil/ui/lock_screen.py" line="147" />
            <source>PIN</source>
            <translation>PIN</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/lock_screen.py" line="148" />
            <source>Buka</source>
            <translation>Unlock</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/lock_screen.py" line="155" />
            <source>Lupa PIN? Pakai kode pemulihan</source>
            <translation>Forgot the PIN? Use the recovery code</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/lock_screen.py" line="160" />
            <source>Kode pemulihan dari kepala desa</source>
            <translation>Recovery code from the village head</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/lock_screen.py" line="225" />
            <source>Kode pemulihan tidak cocok.</source>
            <translation>The recovery code does not match.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/lock_screen.py" line="227" />
            <source>PIN salah.</source>
            <translation>Wrong PIN.</translation>
        </message>
        <message numerus="yes">
            <location filename="../../desa_capil/ui/lock_screen.py" line="229" />
            <source>Tunggu %n detik sebelum mencoba lagi.</source>
            <translation>
                <numerusform>Wait %n second before trying again.</numerusform>
                <numerusform>Wait %n seconds before trying again.</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>MainWindow</name>
        <message>
            <location filename="../../desa_capil/ui/main_window.py" line="193" />
            <source>Halaman ini tidak bisa dibuka karena kesalahan program.</source>
            <translation>This page cannot be opened because of a program error.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/main_window.py" line="240" />
            <source>Layanan Adminduk Desa</source>
            <translation>Village Civil Registration Services</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/main_window.py" line="242" />
            <source>MODE DEMO</source>
            <translation>DEMO MODE</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/main_window.py" line="272" />
            <source>Menunggu diunggah: %1</source>
            <translation>Waiting to upload: %1</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/main_window.py" line="274" />
            <source>Tidak ada data yang menunggu diunggah</source>
            <translation>Nothing waiting to upload</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/main_window.py" line="285" />
            <source>Kontak terakhir: %1</source>
            <translation>Last contact: %1</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/main_window.py" line="287" />
            <source>Belum pernah berhasil terhubung</source>
            <translation>Never connected yet</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/main_window.py" line="67" />
            <source>Beranda</source>
            <translation>Home</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/main_window.py" line="68" />
            <source>Permohonan</source>
            <translation>Applications</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/main_window.py" line="69" />
            <source>Kiriman</source>
            <translation>Batches</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/main_window.py" line="70" />
            <source>Siap Dibagikan</source>
            <translation>Ready to Hand Out</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/main_window.py" line="71" />
            <source>Laporan</source>
            <translation>Reports</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/main_window.py" line="72" />
            <source>Pengaturan</source>
            <translation>Settings</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/main_window.py" line="93" />
            <source>Belum terhubung ke server Disdukcapil</source>
            <translation>Not connected to the office's server</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/main_window.py" line="94" />
            <source>Luring: data aman tersimpan di laptop</source>
            <translation>Offline: data is safe on this laptop</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/main_window.py" line="95" />
            <source>Terhubung ke Disdukcapil</source>
            <translation>Connected to the office</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/main_window.py" line="96" />
            <source>Sedang menyinkronkan...</source>
            <translation>Synchronising...</translation>
        </message>
        <message>
            <source>Ada masalah dengan server Disdukcapil</source>
            <translation type="vanished">There is a problem with the office's server</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/main_window.py" line="98" />
            <source>Menunggu server Disdukcapil</source>
            <translation>Waiting for the office's server</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/main_window.py" line="99" />
            <source>Wi-Fi ini minta login di browser</source>
            <translation>This Wi-Fi asks you to log in in a browser</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/main_window.py" line="100" />
            <source>Laptop ini belum terdaftar di server Disdukcapil</source>
            <translation>This laptop is not enrolled with the office's server</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/main_window.py" line="97" />
            <source>Ada kesalahan saat mengirim</source>
            <translation>An error while sending</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/main_window.py" line="101" />
            <source>Pengiriman berhenti karena kesalahan</source>
            <translation>Sending stopped because of an error</translation>
        </message>
    </context>
    <context>
        <name>NoticeDialog</name>
        <message>
            <location filename="../../desa_capil/ui/notice_dialog.py" line="69" />
            <source>Kabari warga: dokumen siap diambil</source>
            <translation>Tell the resident: document ready</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/notice_dialog.py" line="70" />
            <source>Kabari warga: permohonan perlu dilengkapi</source>
            <translation>Tell the resident: papers needed</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/notice_dialog.py" line="71" />
            <source>Kabari warga: permohonan ditolak</source>
            <translation>Tell the resident: application refused</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/notice_dialog.py" line="110" />
            <source>Pindai kode ini dengan kamera HP kantor: WhatsApp terbuka ke {0} dengan pesan di atas sudah terisi, tinggal tekan Kirim.</source>
            <translation>Scan this code with the office phone's camera: WhatsApp opens to {0} with the message above filled in; just press Send.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/notice_dialog.py" line="116" />
            <source>Warga ini tidak punya nomor WhatsApp yang benar. Cetak surat pemberitahuan dan titipkan lewat RT/RW, atau kunjungi rumahnya.</source>
            <translation>This resident has no valid WhatsApp number. Print the notice and send it through the RT/RW, or visit.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/notice_dialog.py" line="134" />
            <source>Salin pesan</source>
            <translation>Copy message</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/notice_dialog.py" line="137" />
            <source>Cetak surat pemberitahuan</source>
            <translation>Print notice</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/notice_dialog.py" line="140" />
            <source>Buka WhatsApp</source>
            <translation>Open WhatsApp</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/notice_dialog.py" line="144" />
            <source>Buka WhatsApp Web atau WhatsApp Desktop di laptop ini</source>
            <translation>Open WhatsApp Web or WhatsApp Desktop on this laptop</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/notice_dialog.py" line="146" />
            <source>Tidak ada nomor WhatsApp yang benar</source>
            <translation>No valid WhatsApp number</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/notice_dialog.py" line="149" />
            <source>Tutup</source>
            <translation>Close</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/notice_dialog.py" line="164" />
            <source>Pesan sudah disalin. Tempel (Ctrl+V) di WhatsApp atau SMS.</source>
            <translation>Message copied. Paste it (Ctrl+V) into WhatsApp or an SMS.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/notice_dialog.py" line="174" />
            <source>Browser tidak bisa dibuka di laptop ini. Pindai kode QR dengan HP, atau salin pesannya.</source>
            <translation>No browser could be opened on this laptop. Scan the QR code with a phone, or copy the message.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/notice_dialog.py" line="186" />
            <source>Surat pemberitahuan</source>
            <translation>Notice</translation>
        </message>
    </context>
    <context>
        <name>OperatorBadge</name>
        <message>
            <location filename="../../desa_capil/ui/operators.py" line="213" />
            <source>Ganti atau tambah operator</source>
            <translation>Switch or add an operator</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/operators.py" line="228" />
            <source>Operator: %1</source>
            <translation>Operator: %1</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/operators.py" line="228" />
            <source>Pilih operator</source>
            <translation>Choose operator</translation>
        </message>
    </context>
    <context>
        <name>OperatorDialog</name>
        <message>
            <location filename="../../desa_capil/ui/operators.py" line="51" />
            <source>Operator</source>
            <translation>Operator</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/operators.py" line="57" />
            <source>Siapa yang bekerja sekarang? Setiap permohonan dan penyerahan dicatat atas nama operator ini.</source>
            <translation>Who is working now? Every application and hand-over is recorded in this operator's name.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/operators.py" line="60" />
            <source>Pilih operator yang bekerja sekarang, atau tambahkan operator baru.</source>
            <translation>Choose the operator working now, or add a new one.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/operators.py" line="75" />
            <source>Nama operator baru</source>
            <translation>New operator's name</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/operators.py" line="79" />
            <source>Tambah</source>
            <translation>Add</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/operators.py" line="87" />
            <source>Nonaktifkan operator terpilih</source>
            <translation>Deactivate the selected operator</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/operators.py" line="100" />
            <source>Mulai bekerja</source>
            <translation>Start working</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/operators.py" line="100" />
            <source>Pakai operator ini</source>
            <translation>Use this operator</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/operators.py" line="106" />
            <source>Batal</source>
            <translation>Cancel</translation>
        </message>
    </context>
    <context>
        <name>OperatorPage</name>
        <message>
            <location filename="../../desa_capil/ui/first_run.py" line="274" />
            <source>Operator</source>
            <translation>Operator</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/first_run.py" line="276" />
            <source>Siapa yang memakai laptop ini? Setiap permohonan dan penyerahan dicatat atas nama operator.</source>
            <translation>Who uses this laptop? Every application and hand-over is recorded in the operator's name.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/first_run.py" line="282" />
            <source>Nama lengkap</source>
            <translation>Full name</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/first_run.py" line="284" />
            <source>Nama operator</source>
            <translation>Operator's name</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/first_run.py" line="289" />
            <source>Operator lain bisa ditambahkan kapan saja lewat nama operator di bilah status bawah.</source>
            <translation>More operators can be added at any time with the operator's name in the status bar at the bottom.</translation>
        </message>
    </context>
    <context>
        <name>OverdueBanner</name>
        <message>
            <location filename="../../desa_capil/ui/widgets_overdue.py" line="53" />
            <source>Lihat permohonan</source>
            <translation>See applications</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/widgets_overdue.py" line="55" />
            <source>Lihat dokumen</source>
            <translation>See documents</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/widgets_overdue.py" line="89" />
            <source>&lt;b&gt;{0} permohonan&lt;/b&gt; belum dijawab Disdukcapil lebih dari 3x24 jam. Hubungi petugas Disdukcapil.</source>
            <translation>&lt;b&gt;{0} applications&lt;/b&gt; have had no answer from the office for more than 3x24 hours. Contact the office.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/widgets_overdue.py" line="95" />
            <source>&lt;b&gt;{0} dokumen&lt;/b&gt; menunggu diambil warga lebih dari {1} hari. Kabari atau kunjungi warganya.</source>
            <translation>&lt;b&gt;{0} documents&lt;/b&gt; have waited for pickup for more than {1} days. Notify or visit the residents.</translation>
        </message>
    </context>
    <context>
        <name>PageViewer</name>
        <message>
            <location filename="../../desa_capil/ui/intake/page_viewer.py" line="116" />
            <location filename="../../desa_capil/ui/intake/page_viewer.py" line="233" />
            <source>Memuat halaman…</source>
            <extracomment>Size choices offered, as stored in ``Page.size_choice`` ("" = automatic).</extracomment>
            <translation>Loading page…</translation>
        </message>
        <message>
            <source>Perbesar 100%</source>
            <translation type="vanished">Zoom 100%</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/page_viewer.py" line="168" />
            <source>Otomatis</source>
            <translation>Automatic</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/page_viewer.py" line="168" />
            <source>Ukuran dan warna dipilih aplikasi</source>
            <translation>Size and colour chosen by the application</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/page_viewer.py" line="169" />
            <source>Ukuran asli</source>
            <translation>Original size</translation>
        </message>
        <message>
            <source>Tampilkan halaman dengan ukuran aslinya (geser untuk melihat)</source>
            <translation type="vanished">Show the page at its actual size (drag to look around)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/page_viewer.py" line="126" />
            <source>◀ Sebelumnya</source>
            <translation>◀ Previous</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/page_viewer.py" line="127" />
            <source>Halaman sebelumnya (PgUp)</source>
            <translation>Previous page (PgUp)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/page_viewer.py" line="129" />
            <source>Berikutnya ▶</source>
            <translation>Next ▶</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/page_viewer.py" line="130" />
            <source>Halaman berikutnya (PgDn)</source>
            <translation>Next page (PgDn)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/page_viewer.py" line="136" />
            <source>Perkecil (tombol -)</source>
            <translation>Zoom out (key -)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/page_viewer.py" line="137" />
            <source>Perkecil</source>
            <translation>Zoom out</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/page_viewer.py" line="140" />
            <source>Perbesar (tombol +)</source>
            <translation>Zoom in (key +)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/page_viewer.py" line="141" />
            <source>Perbesar</source>
            <translation>Zoom in</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/page_viewer.py" line="148" />
            <source>Pas layar</source>
            <translation>Fit</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/page_viewer.py" line="150" />
            <source>Seluruh halaman terlihat di jendela (tombol 0)</source>
            <translation>The whole page in the window (key 0)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/page_viewer.py" line="152" />
            <source>100 %</source>
            <translation>100 %</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/page_viewer.py" line="155" />
            <source>Tampilkan halaman dengan ukuran aslinya, geser untuk melihat (tombol 1)</source>
            <translation>Show the page at its real size, scroll to see it (key 1)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/page_viewer.py" line="169" />
            <source>Seluruh foto/pindaian apa adanya, tidak dipotong</source>
            <translation>The whole photo/scan as it is, not cropped</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/page_viewer.py" line="170" />
            <source>Kartu</source>
            <translation>Card</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/page_viewer.py" line="170" />
            <source>Kartu seukuran KTP-el (85,6 x 54 mm)</source>
            <translation>A card the size of a KTP-el (85.6 x 54 mm)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/page_viewer.py" line="171" />
            <source>Halaman</source>
            <translation>Page</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/page_viewer.py" line="171" />
            <source>Lembar kertas (A4/F4)</source>
            <translation>A sheet of paper (A4/F4)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/page_viewer.py" line="187" />
            <source>Simpan berwarna</source>
            <translation>Keep in colour</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/page_viewer.py" line="191" />
            <source>Simpan seluruh halaman berwarna bila hasil hitam-putihnya merusak isi (stempel, foto)</source>
            <translation>Keep the whole page in colour when black-and-white damages what it shows (stamps, photos)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/page_viewer.py" line="198" />
            <source>Tutup</source>
            <translation>Close</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/page_viewer.py" line="289" />
            <source>Hal. {0} dari {1}</source>
            <translation>Page {0} of {1}</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/page_viewer.py" line="311" />
            <source>Memproses ulang halaman…</source>
            <translation>Re-processing the page…</translation>
        </message>
    </context>
    <context>
        <name>PapersStep</name>
        <message>
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="288" />
            <source>Kertas yang dibawa warga</source>
            <extracomment>Told the stored pages, or the user-facing message of a failure (the phone page shows both).</extracomment>
            <translation>Papers the resident brought</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="295" />
            <source>Daftar kertas</source>
            <translation>Paper list</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="321" />
            <source>Kertas apa? mis. surat keterangan domisili dari RT (diminta kantor)</source>
            <translation>Which paper? e.g. certificate of residence from the RT (asked by the office)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="323" />
            <source>Nama kertas lain</source>
            <translation>Name of the other paper</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="327" />
            <source>&amp;Impor berkas / PDF…</source>
            <translation>&amp;Import file / PDF…</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="328" />
            <source>&amp;Pindai…</source>
            <translation>&amp;Scan…</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="329" />
            <source>Ka&amp;mera…</source>
            <translation>Ca&amp;mera…</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="330" />
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="667" />
            <source>&amp;Folder pantau…</source>
            <translation>&amp;Watched folder…</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="332" />
            <source>Pakai &amp;HP…</source>
            <translation>Use a &amp;phone…</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="334" />
            <source>Foto kertas dengan HP mana pun lewat Wi-Fi atau hotspot: pindai kode QR, tanpa aplikasi</source>
            <translation>Photograph papers with any phone over Wi-Fi or a hotspot: scan a QR code, no app needed</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="367" />
            <source>Halaman kertas ini</source>
            <translation>Pages of this paper</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="377" />
            <source>Belum ada halaman. Impor berkas, pindai, ambil foto dengan kamera, atau seret berkas gambar/PDF ke sini.</source>
            <translation>No pages yet. Import a file, scan, take a photo with the camera, or drag an image/PDF file here.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="385" />
            <source>⟲ Putar kiri</source>
            <translation>⟲ Rotate left</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="386" />
            <source>Putar kanan ⟳</source>
            <translation>Rotate right ⟳</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="387" />
            <source>◀ Geser</source>
            <translation>◀ Move</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="388" />
            <source>Geser ▶</source>
            <translation>Move ▶</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="389" />
            <source>Hapus halaman</source>
            <translation>Delete page</translation>
        </message>
        <message>
            <source>Pilih gambar atau PDF untuk “{0}”</source>
            <translation type="vanished">Choose an image or PDF for “{0}”</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="565" />
            <source>hasil pindai</source>
            <translation>scan</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="583" />
            <source>foto kamera</source>
            <translation>camera photo</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="627" />
            <source>Pilih folder tempat pemindai menyimpan hasil pindaian</source>
            <translation>Choose the folder where the scanner saves its scans</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="659" />
            <source>Berhenti memantau &amp;folder</source>
            <translation>Stop watching the &amp;folder</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="677" />
            <source>Memantau folder {0}: berkas baru masuk ke “{1}”, lalu dipindah ke subfolder “selesai”.</source>
            <translation>Watching folder {0}: new files go to “{1}”, then move to the “selesai” subfolder.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="735" />
            <source>{0} → {1}: halaman {2} dari {3}</source>
            <translation>{0} → {1}: page {2} of {3}</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="738" />
            <source>Memproses {0} → {1}…</source>
            <translation>Processing {0} → {1}…</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="779" />
            <source>Foto tidak dapat diproses di laptop. Coba kirim lagi.</source>
            <translation>The photo could not be processed on the laptop. Try sending it again.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="917" />
            <source>Warga harus datang sendiri ke Disdukcapil.</source>
            <translation>The resident must go to the office in person.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="961" />
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="1011" />
            <source>Wajib</source>
            <translation>Required</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="961" />
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="1013" />
            <source>Bila ada</source>
            <translation>If any</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="963" />
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="1009" />
            <source>Bila kantor meminta</source>
            <translation>If the office asks</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="965" />
            <source>Pengganti bila kertas aslinya tidak ada</source>
            <translation>Replacement when the paper itself is missing</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="967" />
            <source>asli diserahkan</source>
            <translation>original handed over</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="969" />
            <source>asli ditunjukkan</source>
            <translation>original shown</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="970" />
            <source>{0} halaman</source>
            <translation>{0} pages</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="970" />
            <source>belum ada halaman</source>
            <translation>no pages yet</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="972" />
            <source>{0} terkirim</source>
            <translation>{0} sent</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="974" />
            <source>diganti SPTJM dan saksi</source>
            <translation>replaced by SPTJM and witnesses</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="977" />
            <source>Kertas lain: {0}</source>
            <translation>Other paper: {0}</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="989" />
            <source>Belum ada halaman untuk kertas wajib: {0}.</source>
            <translation>No pages yet for required papers: {0}.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="992" />
            <source>Semua kertas wajib sudah ada halamannya.</source>
            <translation>Every required paper has its pages.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="867" />
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="1030" />
            <source>Hal. {0}</source>
            <translation>P. {0}</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="500" />
            <source>Pilih gambar atau PDF untuk “{0}” (boleh beberapa sekaligus)</source>
            <translation>Choose images or PDFs for “{0}” (several at once is fine)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="1034" />
            <source>Halaman {0} · {1} · {2} KB</source>
            <translation>Page {0} · {1} · {2} KB</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="1038" />
            <source>Klik dua kali untuk melihat ukuran penuh</source>
            <translation>Double-click to see it full size</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="1051" />
            <source>asli</source>
            <translation>original</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="1051" />
            <source>kartu</source>
            <translation>card</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="1051" />
            <source>halaman</source>
            <translation>page</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="1052" />
            <source>kartu/foto</source>
            <translation>card/photo</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="1056" />
            <source>hitam-putih</source>
            <translation>black-and-white</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="1056" />
            <source>abu-abu</source>
            <translation>grey</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/papers_step.py" line="1056" />
            <source>warna</source>
            <translation>colour</translation>
        </message>
    </context>
    <context>
        <name>PhoneDialog</name>
        <message>
            <location filename="../../desa_capil/ui/intake/phone_dialog.py" line="118" />
            <source>Pakai HP sebagai kamera</source>
            <extracomment>The QR code's box: big enough for a phone held 30-50 cm from the screen. How often the dialog refreshes the list of phones and notices an expired session.</extracomment>
            <translation>Use a phone as the camera</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/phone_dialog.py" line="137" />
            <source>Buka kamera HP dan arahkan ke kode QR ini. HP dan laptop harus tersambung ke Wi-Fi yang sama, atau laptop tersambung ke hotspot HP. Tidak perlu internet atau aplikasi.</source>
            <translation>Open the phone's camera and point it at this QR code. The phone and the laptop must be on the same Wi-Fi, or the laptop on the phone's hotspot. No internet or app needed.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/phone_dialog.py" line="142" />
            <location filename="../../desa_capil/ui/intake/phone_dialog.py" line="303" />
            <source>Menyiapkan…</source>
            <translation>Preparing…</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/phone_dialog.py" line="150" />
            <source>Alamat laptop</source>
            <translation>Laptop address</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/phone_dialog.py" line="164" />
            <source>&amp;Coba lagi</source>
            <translation>&amp;Try again</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/phone_dialog.py" line="167" />
            <source>Selesai pakai HP</source>
            <translation>Done with the phone</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/phone_dialog.py" line="217" />
            <source>Wi-Fi ini terbuka (tanpa kata sandi): foto kertas warga bisa disadap orang di dekat sini. Lebih aman: nyalakan hotspot HP (dengan kata sandi), sambungkan laptop ke hotspot itu, lalu klik Coba lagi.</source>
            <translation>This Wi-Fi is open (no password): anyone nearby could capture the residents' papers. Safer: turn on the phone's hotspot (with a password), connect the laptop to it, then click Try again.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/phone_dialog.py" line="228" />
            <source>Laptop tidak tersambung ke Wi-Fi atau hotspot, jadi HP tidak bisa menghubunginya. Nyalakan hotspot di HP, sambungkan laptop ke hotspot itu, lalu klik Coba lagi.</source>
            <translation>The laptop is not on a Wi-Fi or hotspot, so a phone cannot reach it. Turn on the phone's hotspot, connect the laptop to it, then click Try again.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/phone_dialog.py" line="263" />
            <source>Laptop tidak bisa membuka sambungan untuk HP di alamat {0} ({1}). Tutup program lain yang mungkin memakainya, lalu klik Coba lagi.</source>
            <translation>The laptop cannot accept phone connections on {0} ({1}). Close other programs that may be using it, then click Try again.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/phone_dialog.py" line="274" />
            <source>Kode ini hanya berlaku selama jendela ini terbuka dan hilang setelah 15 menit tidak dipakai.</source>
            <translation>This code works only while this window is open, and stops after 15 minutes without use.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/phone_dialog.py" line="280" />
            <source>Bila Windows bertanya apakah desa_capil boleh menerima sambungan, centang “Jaringan pribadi” dan klik Izinkan: HP perlu menghubungi laptop ini. Jangan centang jaringan publik. Bila HP tetap tidak bisa membuka halamannya, atur jaringan Wi-Fi ini sebagai “Pribadi” di Pengaturan Windows → Jaringan.</source>
            <translation>If Windows asks whether desa_capil may accept connections, tick “Private networks” and click Allow: the phone needs to reach this laptop. Do not tick public networks. If the phone still cannot open the page, set this Wi-Fi network to “Private” in Windows Settings → Network.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/phone_dialog.py" line="294" />
            <source>Kode QR belum bisa dibuat.</source>
            <translation>The QR code cannot be made yet.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/phone_dialog.py" line="348" />
            <source>foto HP {0}</source>
            <translation>phone photo {0}</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/phone_dialog.py" line="373" />
            <source>Kode QR sudah kedaluwarsa.</source>
            <translation>The QR code has expired.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/phone_dialog.py" line="375" />
            <source>Tidak dipakai lebih dari 15 menit. Klik Coba lagi untuk kode QR yang baru.</source>
            <translation>Unused for more than 15 minutes. Click Try again for a new QR code.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/phone_dialog.py" line="385" />
            <source>Menunggu HP…</source>
            <translation>Waiting for a phone…</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/phone_dialog.py" line="387" />
            <source>tidak ada</source>
            <translation>none</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/phone_dialog.py" line="388" />
            <source>HP tersambung: {0}.</source>
            <translation>Phones connected: {0}.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/phone_dialog.py" line="389" />
            <source>Foto diterima: {0}</source>
            <translation>Photos received: {0}</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/phone_dialog.py" line="391" />
            <source>sedang diproses: {0}</source>
            <translation>processing: {0}</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/phone_dialog.py" line="393" />
            <source>ditolak: {0}</source>
            <translation>refused: {0}</translation>
        </message>
    </context>
    <context>
        <name>PrivacySettingsWidget</name>
        <message>
            <location filename="../../desa_capil/ui/privacy_settings.py" line="136" />
            <source>Perlindungan data pribadi</source>
            <translation>Personal data protection</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/privacy_settings.py" line="146" />
            <location filename="../../desa_capil/ui/privacy_settings.py" line="150" />
            <source> hari</source>
            <translation> days</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/privacy_settings.py" line="151" />
            <source>Hapus pindaian setelah diterima Disdukcapil</source>
            <translation>Delete scans after the office received them</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/privacy_settings.py" line="152" />
            <source>Arsipkan data setelah diserahkan/ditolak</source>
            <translation>Archive data after hand-over/rejection</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/privacy_settings.py" line="156" />
            <source>Simpan masa simpan</source>
            <translation>Save retention</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/privacy_settings.py" line="159" />
            <source>Lihat catatan akses data warga…</source>
            <translation>View residents' data access log…</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/privacy_settings.py" line="162" />
            <source>Siapa membuka, mencetak, atau mengekspor data dan berkas warga, dan kapan</source>
            <translation>Who opened, printed or exported residents' data and papers, and when</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/privacy_settings.py" line="169" />
            <source>Kunci layar</source>
            <translation>Screen lock</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/privacy_settings.py" line="182" />
            <source>PIN baru (4-12 angka)</source>
            <translation>New PIN (4-12 digits)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/privacy_settings.py" line="183" />
            <source>Ulangi PIN</source>
            <translation>Repeat PIN</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/privacy_settings.py" line="187" />
            <source> menit</source>
            <translation> minutes</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/privacy_settings.py" line="188" />
            <source>Kunci setelah tidak dipakai</source>
            <translation>Lock when idle for</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/privacy_settings.py" line="190" />
            <source>Simpan PIN</source>
            <translation>Save PIN</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/privacy_settings.py" line="192" />
            <source>Hapus PIN</source>
            <translation>Remove PIN</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/privacy_settings.py" line="205" />
            <source>Kunci enkripsi dan pemulihan</source>
            <translation>Encryption key and recovery</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/privacy_settings.py" line="211" />
            <source>Tampilkan kode pemulihan</source>
            <translation>Show recovery code</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/privacy_settings.py" line="254" />
            <source>Semua data di laptop ini tersimpan terenkripsi. Pindaian berkas disimpan sampai Disdukcapil mengonfirmasi penerimaannya, lalu dihapus permanen %1 hari kemudian; data permohonan (layanan, status, jumlah halaman) tetap ada. %2 hari setelah dokumen diserahkan atau permohonan ditolak, data diarsipkan: hanya nama dan 4 angka terakhir NIK yang disimpan; nomor HP, alamat, nomor KK, catatan, tanda tangan dan dokumen PDF dari Disdukcapil dihapus. Tanda terima penyerahan tetap disimpan.</source>
            <translation>All data on this laptop is stored encrypted. Scans are kept until the office confirms it received them, then deleted for good %1 days later; the application record (service, status, page count) stays. %2 days after a document is handed over or an application is rejected, the data is archived: only the name and the last 4 digits of the NIK are kept; phone number, address, family card number, notes, signature and the office's PDF documents are deleted. Hand-over receipts are kept.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/privacy_settings.py" line="265" />
            <source>Pembersihan data belum pernah berjalan.</source>
            <translation>Data clean-up has not run yet.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/privacy_settings.py" line="268" />
            <source>Pembersihan terakhir: %1 (%2 berkas dihapus, %3 permohonan diarsipkan).</source>
            <translation>Last clean-up: %1 (%2 files deleted, %3 applications archived).</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/privacy_settings.py" line="274" />
            <source>PIN aktif: aplikasi terkunci bila tidak dipakai.</source>
            <translation>PIN on: the app locks when idle.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/privacy_settings.py" line="276" />
            <source>Belum ada PIN: aplikasi tidak pernah terkunci.</source>
            <translation>No PIN yet: the app never locks.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/privacy_settings.py" line="280" />
            <source>Kunci enkripsi tersimpan di pengelola kredensial Windows/sistem.</source>
            <translation>The encryption key is kept in the Windows/system credential manager.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/privacy_settings.py" line="282" />
            <source>Kunci enkripsi tersimpan di berkas yang hanya bisa dibaca akun ini: %1</source>
            <translation>The encryption key is kept in a file only this account can read: %1</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/privacy_settings.py" line="289" />
            <source>Jika Windows dipasang ulang atau laptop diganti, data hanya bisa dibuka dengan kode pemulihan. Catat atau cetak kode itu dan simpan di tempat aman oleh kepala desa.</source>
            <translation>If Windows is reinstalled or the laptop replaced, the data can only be opened with the recovery code. The village head should write down or print that code and keep it safe.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/privacy_settings.py" line="310" />
            <source>Kedua PIN tidak sama. Ketik ulang.</source>
            <translation>The two PINs differ. Type them again.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/privacy_settings.py" line="315" />
            <source>PIN harus 4 sampai 12 angka.</source>
            <translation>The PIN must be 4 to 12 digits.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/privacy_settings.py" line="326" />
            <source>PIN disimpan.</source>
            <translation>PIN saved.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/privacy_settings.py" line="335" />
            <source>PIN dihapus.</source>
            <translation>PIN removed.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/privacy_settings.py" line="348" />
            <source>Kode pemulihan</source>
            <translation>Recovery code</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/privacy_settings.py" line="350" />
            <source>Siapa pun yang memegang kode pemulihan bisa membuka semua data warga di laptop ini. Tampilkan hanya untuk dicatat atau dicetak oleh kepala desa. Lanjutkan?</source>
            <translation>Anyone holding the recovery code can open all residents' data on this laptop. Show it only for the village head to write down or print. Continue?</translation>
        </message>
    </context>
    <context>
        <name>QueueModel</name>
        <message>
            <location filename="../../desa_capil/ui/queue_model.py" line="265" />
            <source>Tanda permohonan mendesak</source>
            <translation>Urgent application marker</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/queue_model.py" line="277" />
            <source>Memuat...</source>
            <translation>Loading...</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/queue_model.py" line="323" />
            <source>Perbaikan siap dikirim</source>
            <translation>Fix ready to send</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/queue_model.py" line="257" />
            <source>Nama pemohon</source>
            <translation>Applicant's name</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/queue_model.py" line="258" />
            <source>NIK</source>
            <translation>NIK</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/queue_model.py" line="259" />
            <source>Layanan</source>
            <translation>Service</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/queue_model.py" line="260" />
            <source>Status</source>
            <translation>Status</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/queue_model.py" line="261" />
            <source>Tanggal masuk</source>
            <translation>Date received</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/queue_model.py" line="262" />
            <source>Pesan dari Disdukcapil</source>
            <translation>Message from the office</translation>
        </message>
    </context>
    <context>
        <name>QueuePage</name>
        <message>
            <location filename="../../desa_capil/ui/pages/queue_page.py" line="75" />
            <source>Belum tersedia</source>
            <translation>Not available yet</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/queue_page.py" line="76" />
            <source>Formulir permohonan sedang disiapkan dan belum bisa dibuka di versi ini.</source>
            <translation>The application form is being prepared and cannot be opened in this version.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/queue_page.py" line="87" />
            <source>%1 rb</source>
            <translation>%1k</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/queue_page.py" line="107" />
            <source>Permohonan</source>
            <translation>Applications</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/queue_page.py" line="112" />
            <location filename="../../desa_capil/ui/pages/queue_page.py" line="356" />
            <location filename="../../desa_capil/ui/pages/queue_page.py" line="405" />
            <source>Ubah</source>
            <translation>Edit</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/queue_page.py" line="114" />
            <location filename="../../desa_capil/ui/pages/queue_page.py" line="417" />
            <location filename="../../desa_capil/ui/pages/queue_page.py" line="461" />
            <source>Hapus</source>
            <translation>Delete</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/queue_page.py" line="117" />
            <source>Permohonan Baru</source>
            <translation>New Application</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/queue_page.py" line="129" />
            <source>Cari nama, NIK, nomor KK, atau layanan...</source>
            <translation>Search name, NIK, family card number or service...</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/queue_page.py" line="141" />
            <source>Semua</source>
            <translation>All</translation>
        </message>
        <message numerus="yes">
            <location filename="../../desa_capil/ui/pages/queue_page.py" line="306" />
            <source>%n permohonan cocok dengan pilihan</source>
            <translation>
                <numerusform>%n application matches the selection</numerusform>
                <numerusform>%n applications match the selection</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../desa_capil/ui/pages/queue_page.py" line="308" />
            <source>%n permohonan seluruhnya</source>
            <translation>
                <numerusform>%n application in all</numerusform>
                <numerusform>%n applications in all</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/queue_page.py" line="311" />
            <source>Tidak ada permohonan yang cocok. Ubah kata pencarian atau pilih status lain.</source>
            <translation>No matching applications. Change the search words or choose another status.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/queue_page.py" line="314" />
            <source>Belum ada permohonan.
Klik “Permohonan Baru” untuk mencatat permohonan warga.</source>
            <translation>No applications yet.
Click “New Application” to record a resident's request.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/queue_page.py" line="356" />
            <source>Rincian</source>
            <translation>Details</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/queue_page.py" line="363" />
            <source>Hanya permohonan berstatus Draf atau Siap dikirim yang bisa dihapus.</source>
            <translation>Only applications in Draft or Ready to send can be deleted.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/queue_page.py" line="404" />
            <source>Lihat rincian dan riwayat</source>
            <translation>Details and history</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/queue_page.py" line="407" />
            <source>Kabari warga (WhatsApp / surat)</source>
            <translation>Tell the resident (WhatsApp / notice)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/queue_page.py" line="411" />
            <source>Cetak ulang tanda terima berkas</source>
            <translation>Reprint the papers receipt</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/queue_page.py" line="413" />
            <source>Cetak ulang tanda terima penyerahan</source>
            <translation>Reprint the hand-over receipt</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/queue_page.py" line="455" />
            <source>Hapus permohonan</source>
            <translation>Delete application</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/queue_page.py" line="457" />
            <source>Hapus permohonan {service} atas nama {name}?

Berkas yang sudah dipindai untuk permohonan ini ikut terhapus. Tindakan ini tidak bisa dibatalkan.</source>
            <translation>Delete the {service} application of {name}?

The papers scanned for it are deleted too. This cannot be undone.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/queue_page.py" line="462" />
            <source>Batal</source>
            <translation>Cancel</translation>
        </message>
    </context>
    <context>
        <name>ReceiveDialog</name>
        <message>
            <location filename="../../desa_capil/ui/usb_receive_dialog.py" line="126" />
            <source>Terima dari flashdisk</source>
            <translation>Receive from a USB stick</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_receive_dialog.py" line="128" />
            <source>Masukkan flashdisk yang dibawa dari kantor Disdukcapil dan pilih berkas dari kantor (.dcb). Kabar status dan dokumen bertanda tangan di dalamnya dicatat sama seperti kabar lewat internet; menerima berkas yang sama dua kali tidak mengubah apa-apa.</source>
            <translation>Insert the stick brought from the Disdukcapil office and pick the office's file (.dcb). The status news and signed documents in it are recorded exactly like news received online; receiving the same file twice changes nothing.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_receive_dialog.py" line="132" />
            <source>Berkas dari kantor (*.dcb)</source>
            <translation>File from the office (*.dcb)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_receive_dialog.py" line="133" />
            <source>Terima</source>
            <translation>Receive</translation>
        </message>
        <message>
            <source>Tutup</source>
            <translation type="vanished">Close</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_receive_dialog.py" line="151" />
            <source>Memeriksa dan mencatat berkas…</source>
            <translation>Checking and recording the file…</translation>
        </message>
    </context>
    <context>
        <name>RecoveryCodeDialog</name>
        <message>
            <location filename="../../desa_capil/ui/privacy_settings.py" line="374" />
            <source>Kode pemulihan</source>
            <translation>Recovery code</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/privacy_settings.py" line="378" />
            <source>Tulis atau cetak kode ini dan simpan di tempat terkunci (misalnya bersama stempel desa). Kode ini dibutuhkan bila laptop diganti atau Windows dipasang ulang, dan untuk membuka aplikasi bila PIN lupa. Jangan kirim lewat WhatsApp atau foto.</source>
            <translation>Write down or print this code and keep it locked away (for example with the village stamp). It is needed when the laptop is replaced or Windows reinstalled, and to open the app when the PIN is forgotten. Never send it by WhatsApp or as a photo.</translation>
        </message>
    </context>
    <context>
        <name>RecoveryCodeEntryDialog</name>
        <message>
            <location filename="../../desa_capil/ui/privacy_settings.py" line="410" />
            <source>Masukkan kode pemulihan</source>
            <translation>Enter the recovery code</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/privacy_settings.py" line="415" />
            <source>Ketik kode pemulihan yang disimpan kepala desa (huruf besar/kecil dan tanda hubung tidak penting).</source>
            <translation>Type the recovery code the village head keeps (capitals and hyphens do not matter).</translation>
        </message>
    </context>
    <context>
        <name>RelayDialog</name>
        <message>
            <location filename="../../desa_capil/ui/usb_relay_dialog.py" line="75" />
            <source>Titip kirim</source>
            <translation>Relay for another village</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_relay_dialog.py" line="77" />
            <source>Kirimkan berkas flashdisk desa lain ke kantor Disdukcapil lewat internet laptop ini. Isinya terkunci untuk kantor: laptop ini tidak bisa membacanya, dan kantor memeriksa tanda tangan laptop desa pengirimnya. Berikan kabar hasilnya ke desa itu.</source>
            <translation>Send another village's stick file to the Disdukcapil office over this laptop's internet. Its contents are locked for the office: this laptop cannot read them, and the office checks the signature of the village laptop that made it. Tell that village the result.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_relay_dialog.py" line="81" />
            <source>Berkas kiriman desa (*.dcb)</source>
            <translation>Village bundle file (*.dcb)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_relay_dialog.py" line="82" />
            <source>Kirim ke kantor</source>
            <translation>Send to the office</translation>
        </message>
        <message>
            <source>Tutup</source>
            <translation type="vanished">Close</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_relay_dialog.py" line="99" />
            <source>Mengirim ke kantor…</source>
            <translation>Sending to the office…</translation>
        </message>
    </context>
    <context>
        <name>ReportsPage</name>
        <message>
            <location filename="../../desa_capil/ui/pages/reports_page.py" line="69" />
            <source>Laporan</source>
            <translation>Reports</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/reports_page.py" line="74" />
            <source>Ekspor CSV</source>
            <translation>Export CSV</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/reports_page.py" line="76" />
            <source>Ekspor Excel</source>
            <translation>Export Excel</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/reports_page.py" line="78" />
            <source>Simpan Rekap PDF</source>
            <translation>Save Summary PDF</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/reports_page.py" line="80" />
            <source>Cetak Rekap Bulanan</source>
            <translation>Print Monthly Summary</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/reports_page.py" line="100" />
            <source>Bulan ini</source>
            <translation>This month</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/reports_page.py" line="102" />
            <source>Bulan lalu</source>
            <translation>Last month</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/reports_page.py" line="109" />
            <source>Tanggal permohonan dari</source>
            <translation>Application date from</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/reports_page.py" line="111" />
            <source>sampai</source>
            <translation>to</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/reports_page.py" line="122" />
            <source>Permohonan diterima</source>
            <translation>Applications received</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/reports_page.py" line="123" />
            <source>Dokumen diserahkan ke warga</source>
            <translation>Documents handed to residents</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/reports_page.py" line="124" />
            <source>Masih di Disdukcapil</source>
            <translation>Still at the office</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/reports_page.py" line="127" />
            <source>Layanan</source>
            <translation>Service</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/reports_page.py" line="127" />
            <location filename="../../desa_capil/ui/pages/reports_page.py" line="280" />
            <source>Jumlah</source>
            <translation>Total</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/reports_page.py" line="150" />
            <source>Ekspor register permohonan…</source>
            <translation>Export application register…</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/reports_page.py" line="154" />
            <source>Daftar setiap permohonan periode ini (nama, NIK disamarkan, layanan, status, tanggal) untuk camat</source>
            <translation>Every application of the period (name, masked NIK, service, status, dates) for the sub-district head</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/reports_page.py" line="265" />
            <source>Rekap permohonan per layanan dan tahap, {0} s.d. {1}</source>
            <translation>Applications by service and stage, {0} to {1}</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/reports_page.py" line="282" />
            <source>Tidak ada permohonan pada periode ini. Pilih periode lain di atas.</source>
            <translation>No applications in this period. Choose another period above.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/reports_page.py" line="314" />
            <source>Dokumen PDF (*.pdf)</source>
            <translation>PDF document (*.pdf)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/reports_page.py" line="317" />
            <source>Berkas CSV (*.csv)</source>
            <translation>CSV file (*.csv)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/reports_page.py" line="317" />
            <source>Buku kerja Excel (*.xlsx)</source>
            <translation>Excel workbook (*.xlsx)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/reports_page.py" line="318" />
            <source>Simpan laporan</source>
            <translation>Save report</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/reports_page.py" line="344" />
            <location filename="../../desa_capil/ui/pages/reports_page.py" line="399" />
            <source>Tersimpan: {0}</source>
            <translation>Saved: {0}</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/reports_page.py" line="350" />
            <source>NIK disamarkan di tengah (320101******0002)</source>
            <translation>NIK masked in the middle (320101******0002)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/reports_page.py" line="351" />
            <source>Hanya 4 angka terakhir NIK</source>
            <translation>Only the last 4 digits of the NIK</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/reports_page.py" line="352" />
            <source>NIK lengkap (hanya bila penerima memerlukannya)</source>
            <translation>Full NIK (only if the recipient needs it)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/reports_page.py" line="361" />
            <source>Ekspor register permohonan</source>
            <translation>Export application register</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/reports_page.py" line="362" />
            <source>Register ini keluar dari kantor desa. Bagaimana NIK ditulis?</source>
            <translation>This register leaves the village office. How should the NIK be written?</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/reports_page.py" line="364" />
            <source>Lanjut</source>
            <translation>Next</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/reports_page.py" line="365" />
            <source>Batal</source>
            <translation>Cancel</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/reports_page.py" line="372" />
            <source>Simpan register permohonan</source>
            <translation>Save application register</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/reports_page.py" line="374" />
            <source>Buku kerja Excel (*.xlsx);;Berkas CSV (*.csv)</source>
            <translation>Excel workbook (*.xlsx);;CSV file (*.csv)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/reports_page.py" line="408" />
            <source>Rekap bulanan {0} {1}</source>
            <translation>Monthly summary {0} {1}</translation>
        </message>
    </context>
    <context>
        <name>RestoreDialog</name>
        <message>
            <location filename="../../desa_capil/ui/backup_dialog.py" line="260" />
            <source>Pulihkan dari cadangan flashdisk</source>
            <translation>Restore from a USB stick backup</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/backup_dialog.py" line="265" />
            <source>Pasang flashdisk cadangan, pilih foldernya, pilih cadangan menurut tanggal, lalu ketik kode pemulihan yang disimpan kepala desa.</source>
            <translation>Plug in the backup stick, choose its folder, pick a backup by date, then type the recovery code kept by the village head.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/backup_dialog.py" line="273" />
            <source>Belum ada folder dipilih.</source>
            <translation>No folder chosen yet.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/backup_dialog.py" line="275" />
            <source>Pilih flashdisk…</source>
            <translation>Choose the USB stick…</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/backup_dialog.py" line="283" />
            <source>Cadangan menurut tanggal (pilih flashdisk dulu)</source>
            <translation>Backups by date (choose the USB stick first)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/backup_dialog.py" line="287" />
            <source>Kode pemulihan, mis. ABCDE-FGHIJ-…</source>
            <translation>Recovery code, e.g. ABCDE-FGHIJ-…</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/backup_dialog.py" line="298" />
            <source>Pulihkan</source>
            <translation>Restore</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/backup_dialog.py" line="308" />
            <source>Pilih flashdisk cadangan</source>
            <translation>Choose the backup USB stick</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/backup_dialog.py" line="317" />
            <source>%1 · %2 · %3 permohonan</source>
            <translation>%1 · %2 · %3 applications</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/backup_dialog.py" line="322" />
            <source>Tidak ada cadangan desa_capil di folder itu. Pilih folder lain.</source>
            <translation>There is no desa_capil backup in that folder. Choose another folder.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/backup_dialog.py" line="334" />
            <source>Pilih dulu flashdisk yang berisi cadangan.</source>
            <translation>First choose the USB stick that holds the backup.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/backup_dialog.py" line="339" />
            <source>Memeriksa dan memulihkan cadangan…</source>
            <translation>Checking and restoring the backup…</translation>
        </message>
    </context>
    <context>
        <name>ScannerDialog</name>
        <message>
            <location filename="../../desa_capil/ui/intake/scanner_dialog.py" line="49" />
            <source>Pindai</source>
            <translation>Scan</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/scanner_dialog.py" line="57" />
            <source>Kaca (flatbed): satu halaman</source>
            <translation>Glass (flatbed): one page</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/scanner_dialog.py" line="58" />
            <source>Pengumpan (ADF): semua kertas di baki</source>
            <translation>Feeder (ADF): every sheet in the tray</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/scanner_dialog.py" line="60" />
            <source>Abu-abu (disarankan)</source>
            <translation>Grey (recommended)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/scanner_dialog.py" line="61" />
            <source>Warna (ada stempel/foto berwarna)</source>
            <translation>Colour (coloured stamp/photo)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/scanner_dialog.py" line="62" />
            <source>Hitam-putih</source>
            <translation>Black-and-white</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/scanner_dialog.py" line="71" />
            <source>Halaman masuk ke “{0}”.</source>
            <translation>Pages go to “{0}”.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/scanner_dialog.py" line="79" />
            <source>Cari &amp;ulang</source>
            <translation>Search &amp;again</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/scanner_dialog.py" line="80" />
            <source>&amp;Pindai</source>
            <translation>&amp;Scan</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/scanner_dialog.py" line="82" />
            <source>&amp;Berhenti</source>
            <translation>S&amp;top</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/scanner_dialog.py" line="83" />
            <source>&amp;Selesai</source>
            <translation>&amp;Done</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/scanner_dialog.py" line="95" />
            <source>Pemindai:</source>
            <translation>Scanner:</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/scanner_dialog.py" line="96" />
            <source>Kertas dari:</source>
            <translation>Paper from:</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/scanner_dialog.py" line="97" />
            <source>Warna:</source>
            <translation>Colour:</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/scanner_dialog.py" line="98" />
            <source>Resolusi:</source>
            <translation>Resolution:</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/scanner_dialog.py" line="121" />
            <source>Mencari pemindai…</source>
            <translation>Looking for scanners…</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/scanner_dialog.py" line="133" />
            <source>Tidak ada pemindai yang ditemukan. Periksa kabel USB dan daya pemindai, lalu klik “Cari ulang”. Bisa juga memakai “Folder pantau” bila pemindai menyimpan ke folder.</source>
            <translation>No scanner found. Check the scanner's USB cable and power, then click “Search again”. You can also use “Watched folder” if the scanner saves to a folder.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/scanner_dialog.py" line="138" />
            <source>{0} pemindai ditemukan.</source>
            <translation>{0} scanners found.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/scanner_dialog.py" line="156" />
            <source>Sedang memindai… jangan angkat tutup pemindai.</source>
            <translation>Scanning… do not lift the scanner lid.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/scanner_dialog.py" line="172" />
            <source>{0} halaman dipindai. Pindai lagi, atau Selesai.</source>
            <translation>{0} pages scanned. Scan again, or Done.</translation>
        </message>
    </context>
    <context>
        <name>ServerPage</name>
        <message>
            <location filename="../../desa_capil/ui/first_run.py" line="304" />
            <source>Server Disdukcapil</source>
            <translation>Civil registration server</translation>
        </message>
        <message>
            <source>Isi alamat server dan kode pendaftaran dari Disdukcapil. Belum punya? Pilih 'Nanti saja': semua bisa dikerjakan tanpa internet dan dikirim setelah laptop didaftarkan.</source>
            <translation type="vanished">Enter the server address and enrollment code from the civil registration office. Don't have them yet? Choose 'Later': everything works without internet and is sent once the laptop is enrolled.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/first_run.py" line="307" />
            <source>Isi alamat server dan kode pendaftaran dari Disdukcapil.</source>
            <translation>Enter the server address and enrollment code from the civil registration office.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/first_run.py" line="313" />
            <source>Nanti saja, kerja luring dulu</source>
            <translation>Later, work offline first</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/first_run.py" line="320" />
            <source>mis. 7KQ2-M9XD</source>
            <translation>e.g. 7KQ2-M9XD</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/first_run.py" line="321" />
            <source>Alamat server</source>
            <translation>Server address</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/first_run.py" line="322" />
            <source>Kode pendaftaran</source>
            <translation>Enrollment code</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/first_run.py" line="326" />
            <source>Belum punya? Pilih 'Nanti saja': semua bisa dikerjakan tanpa internet dan dikirim setelah laptop didaftarkan. Laptop bisa didaftarkan nanti di Pengaturan.</source>
            <translation>Don't have them yet? Choose 'Later': everything works without internet and is sent once the laptop is enrolled. The laptop can be enrolled later in Settings.</translation>
        </message>
        <message>
            <source>Laptop bisa didaftarkan nanti di Pengaturan.</source>
            <translation type="vanished">The laptop can be enrolled later in Settings.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/first_run.py" line="373" />
            <source>Mendaftarkan laptop ke server...</source>
            <translation>Enrolling the laptop with the server...</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/first_run.py" line="385" />
            <source>Terdaftar untuk %1.</source>
            <translation>Enrolled for %1.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/first_run.py" line="398" />
            <source>Periksa alamat dan kode, atau pilih 'Nanti saja'.</source>
            <translation>Check the address and code, or choose 'Later'.</translation>
        </message>
    </context>
    <context>
        <name>ServerSettings</name>
        <message>
            <location filename="../../desa_capil/ui/sync_settings.py" line="79" />
            <source>(tidak perlu, kecuali diminta Disdukcapil)</source>
            <translation>(not needed unless the office asks)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/sync_settings.py" line="80" />
            <source>Pilih...</source>
            <translation>Choose...</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/sync_settings.py" line="90" />
            <source>Saya mengerti: alamat http:// tidak terenkripsi (hanya bila diminta Disdukcapil)</source>
            <translation>I understand: an http:// address is not encrypted (only if the office asks for it)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/sync_settings.py" line="98" />
            <source>Daftarkan laptop ini</source>
            <translation>Enroll this laptop</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/sync_settings.py" line="101" />
            <source>Simpan alamat</source>
            <translation>Save address</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/sync_settings.py" line="105" />
            <source>Daftarkan dari flashdisk…</source>
            <translation>Enroll from a USB stick…</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/sync_settings.py" line="108" />
            <source>Berkas pendaftaran (.dcenroll) dan kode di kertas dari kantor Disdukcapil</source>
            <translation>Enrollment file (.dcenroll) and the code on paper from the civil registration office</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/sync_settings.py" line="114" />
            <source>Alamat server</source>
            <translation>Server address</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/sync_settings.py" line="116" />
            <source>Berkas CA kantor</source>
            <translation>Office CA file</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/sync_settings.py" line="117" />
            <source>Kode pendaftaran</source>
            <translation>Enrollment code</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/sync_settings.py" line="118" />
            <source>Nama laptop</source>
            <translation>Laptop name</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/sync_settings.py" line="149" />
            <source>Izin laptop ini di server Disdukcapil sudah dicabut (sejak %1). Data di laptop tetap aman. Minta kode pendaftaran baru ke Disdukcapil, lalu daftarkan ulang di sini.</source>
            <translation>This laptop's access to the office's server was revoked (since %1). The data on this laptop is safe. Ask the office for a new enrollment code, then enroll again here.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/sync_settings.py" line="156" />
            <source>Terdaftar untuk %1 (%2).</source>
            <translation>Enrolled for %1 (%2).</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/sync_settings.py" line="161" />
            <source>Terdaftar lewat flashdisk untuk %1 (%2): kiriman lewat flashdisk bisa dipakai. Untuk kirim lewat internet, masukkan alamat server dan kode pendaftaran dari Disdukcapil.</source>
            <translation>Enrolled by USB stick for %1 (%2): sending by USB stick works. To send over the internet, enter the server address and enrollment code from the civil registration office.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/sync_settings.py" line="169" />
            <source>Belum terdaftar. Masukkan alamat server dan kode pendaftaran dari Disdukcapil.</source>
            <translation>Not enrolled. Enter the server address and the enrollment code from the office.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/sync_settings.py" line="174" />
            <source>Pilih berkas CA</source>
            <translation>Choose the CA file</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/sync_settings.py" line="174" />
            <source>Sertifikat (*.pem *.crt *.cer);;Semua berkas (*)</source>
            <translation>Certificates (*.pem *.crt *.cer);;All files (*)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/sync_settings.py" line="197" />
            <source>Menghubungi server...</source>
            <translation>Contacting the server...</translation>
        </message>
    </context>
    <context>
        <name>ServiceStep</name>
        <message>
            <location filename="../../desa_capil/ui/intake/service_step.py" line="58" />
            <source>Cari layanan, misalnya: akta lahir, KK, pindah</source>
            <translation>Search services, e.g.: birth certificate, family card, moving</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/service_step.py" line="65" />
            <source>Daftar layanan</source>
            <translation>Service list</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/service_step.py" line="71" />
            <source>Layanan apa yang diminta warga?</source>
            <translation>Which service does the resident need?</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/service_step.py" line="142" />
            <source>(tidak ditawarkan lagi)</source>
            <translation>(no longer offered)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/service_step.py" line="159" />
            <source>(harus datang sendiri)</source>
            <translation>(must come in person)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/service_step.py" line="177" />
            <source>Tidak ada layanan yang cocok dengan “{0}”</source>
            <translation>No service matches “{0}”</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/service_step.py" line="209" />
            <source>Jenis:</source>
            <translation>Kind:</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/service_step.py" line="228" />
            <source>Pilih layanan di sebelah kiri</source>
            <translation>Choose a service on the left</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/service_step.py" line="232" />
            <source>Daftar kertas yang harus dibawa warga akan tampil di sini.</source>
            <translation>The papers the resident must bring are listed here.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/service_step.py" line="238" />
            <source>Warga harus datang sendiri ke Disdukcapil.</source>
            <translation>The resident must go to the office in person.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/service_step.py" line="247" />
            <source>Batas lapor: {0} hari sejak {1}. Lewat dari itu tetap dilayani, dengan catatan terlambat.</source>
            <translation>Report within {0} days of the {1}. Later reports are still taken, marked late.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/service_step.py" line="253" />
            <source>Bisa sekaligus ({0}): {1}, dengan kertas yang sama.</source>
            <translation>Can be asked together ({0}): {1}, with the same papers.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/service_step.py" line="264" />
            <source>Wajib</source>
            <translation>Required</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/service_step.py" line="265" />
            <source>Bila ada</source>
            <translation>If any</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/service_step.py" line="266" />
            <source>asli diserahkan</source>
            <translation>original handed over</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/service_step.py" line="267" />
            <source>asli ditunjukkan</source>
            <translation>original shown</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/intake/service_step.py" line="291" />
            <source>Kertas yang diperlukan:</source>
            <translation>Papers needed:</translation>
        </message>
    </context>
    <context>
        <name>SettingsPage</name>
        <message>
            <location filename="../../desa_capil/ui/pages/settings_page.py" line="84" />
            <source>Pengaturan</source>
            <translation>Settings</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/settings_page.py" line="86" />
            <source>Identitas kantor desa dan cara aplikasi bekerja di laptop ini.</source>
            <translation>The village office's identity and how the app works on this laptop.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/settings_page.py" line="100" />
            <source>Kantor desa</source>
            <translation>Village office</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/settings_page.py" line="104" />
            <source>mis. Desa Sukamaju</source>
            <translation>e.g. Desa Sukamaju</translation>
        </message>
        <message>
            <source>Nama petugas yang memakai laptop ini</source>
            <translation type="vanished">Name of the staff member using this laptop</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/settings_page.py" line="128" />
            <source>Nama desa/kelurahan</source>
            <translation>Village name</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/settings_page.py" line="129" />
            <source>Kode wilayah</source>
            <translation>Area code</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/settings_page.py" line="131" />
            <source>Format Kemendagri: provinsi.kabupaten.kecamatan.desa, mis. 32.01.01.2001</source>
            <translation>Ministry of Home Affairs format: province.regency.district.village, e.g. 32.01.01.2001</translation>
        </message>
        <message>
            <source>Nama operator</source>
            <translation type="vanished">Operator's name</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/settings_page.py" line="115" />
            <source>Ganti / tambah operator…</source>
            <translation>Change / add operator…</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/settings_page.py" line="123" />
            <source>mis. H. Ahmad Fauzi, S.Sos.</source>
            <translation>e.g. H. Ahmad Fauzi, S.Sos.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/settings_page.py" line="126" />
            <source>18 angka, bila pegawai negeri</source>
            <translation>18 digits, if a civil servant</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/settings_page.py" line="136" />
            <source>Operator sekarang</source>
            <translation>Operator now</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/settings_page.py" line="137" />
            <source>Kepala desa / lurah</source>
            <translation>Village head</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/settings_page.py" line="138" />
            <source>NIP kepala desa / lurah</source>
            <translation>Village head's NIP</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/settings_page.py" line="139" />
            <source>Dicetak di bawah tanda tangan rekap bulanan untuk camat.</source>
            <translation>Printed under the signature of the monthly recap for the sub-district head.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/settings_page.py" line="145" />
            <source>Bahasa</source>
            <translation>Language</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/settings_page.py" line="151" />
            <source>Bahasa tampilan</source>
            <translation>Display language</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/settings_page.py" line="152" />
            <source>Bahasa baru dipakai setelah aplikasi dibuka ulang.</source>
            <translation>A new language is used after the app is restarted.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/settings_page.py" line="157" />
            <source>Pengiriman</source>
            <translation>Sending</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/settings_page.py" line="160" />
            <source>Segel dan kirim otomatis permohonan yang lengkap</source>
            <translation>Seal and send complete applications automatically</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/settings_page.py" line="164" />
            <source>Saat jendela permohonan ditutup, permohonan yang kertas wajibnya lengkap langsung masuk kiriman, tanpa menekan "Kirim". Segel masih bisa dibuka di halaman Kiriman sampai pengunggahan dimulai.</source>
            <translation>When the application window closes, an application with all its mandatory papers goes into a batch at once, without pressing "Kirim". The seal can still be opened on the Batches page until the upload starts.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/settings_page.py" line="180" />
            <source>Simpan pengaturan</source>
            <translation>Save settings</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/settings_page.py" line="192" />
            <source>Server Disdukcapil</source>
            <translation>Civil registration server</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/settings_page.py" line="270" />
            <source>(belum dipilih)</source>
            <translation>(not chosen yet)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/settings_page.py" line="310" />
            <source>NIP harus 18 angka (kosongkan bila kepala desa bukan pegawai negeri).</source>
            <translation>The NIP has 18 digits (leave it empty if the village head is not a civil servant).</translation>
        </message>
        <message>
            <source>Perlindungan data pribadi</source>
            <translation type="vanished">Personal data protection</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/settings_page.py" line="316" />
            <source>Kode wilayah belum benar. Contoh yang benar: 32.01.01.2001</source>
            <translation>The area code is not right. A correct example: 32.01.01.2001</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/settings_page.py" line="329" />
            <source>Tersimpan. Tutup dan buka lagi aplikasi untuk mengganti bahasa.</source>
            <translation>Saved. Close and reopen the app to change the language.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/pages/settings_page.py" line="331" />
            <source>Pengaturan tersimpan.</source>
            <translation>Settings saved.</translation>
        </message>
    </context>
    <context>
        <name>Sidebar</name>
        <message>
            <location filename="../../desa_capil/ui/widgets/sidebar.py" line="62" />
            <source>Adminduk Desa</source>
            <translation>Village Registry</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/widgets/sidebar.py" line="64" />
            <location filename="../../desa_capil/ui/widgets/sidebar.py" line="134" />
            <source>Kantor Desa</source>
            <translation>Village Office</translation>
        </message>
    </context>
    <context>
        <name>SignaturePad</name>
        <message>
            <location filename="../../desa_capil/ui/handover_dialog.py" line="67" />
            <source>Tempat tanda tangan penerima</source>
            <translation>Recipient's signature area</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/handover_dialog.py" line="121" />
            <source>Tanda tangan penerima di sini</source>
            <translation>Recipient signs here</translation>
        </message>
    </context>
    <context>
        <name>StatusGroup</name>
        <message>
            <location filename="../../desa_capil/ui/widgets/status.py" line="71" />
            <source>Draf</source>
            <translation>Draft</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/widgets/status.py" line="72" />
            <source>Siap dikirim</source>
            <translation>Ready to send</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/widgets/status.py" line="58" />
            <source>Terkirim / menunggu</source>
            <translation>Sent / waiting</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/widgets/status.py" line="74" />
            <source>Perlu perbaikan</source>
            <translation>Needs correction</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/widgets/status.py" line="60" />
            <source>Selesai / dikirim ke desa</source>
            <translation>Finished / sent to village</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/widgets/status.py" line="76" />
            <source>Siap dibagikan</source>
            <translation>Ready to hand out</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/widgets/status.py" line="62" />
            <source>Sudah diserahkan</source>
            <translation>Handed over</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/widgets/status.py" line="78" />
            <source>Ditolak</source>
            <translation>Rejected</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/widgets/status.py" line="87" />
            <source>Di Disdukcapil</source>
            <translation>At the office</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/widgets/status.py" line="75" />
            <source>Selesai</source>
            <translation>Finished</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/widgets/status.py" line="77" />
            <source>Diserahkan</source>
            <translation>Handed over</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/widgets/status.py" line="85" />
            <source>Berkas belum lengkap</source>
            <translation>Papers incomplete</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/widgets/status.py" line="86" />
            <source>Lengkap, belum dikirim</source>
            <translation>Complete, not sent</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/widgets/status.py" line="88" />
            <source>Diminta kantor</source>
            <translation>Asked by the office</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/widgets/status.py" line="89" />
            <source>Dokumen dalam perjalanan</source>
            <translation>Document on the way</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/widgets/status.py" line="90" />
            <source>Sudah di kantor desa</source>
            <translation>At the village office</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/widgets/status.py" line="91" />
            <source>Diterima warga</source>
            <translation>Received by the resident</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/widgets/status.py" line="92" />
            <source>Tidak dapat diproses</source>
            <translation>Cannot be processed</translation>
        </message>
    </context>
    <context>
        <name>StickFileDialog</name>
        <message>
            <location filename="../../desa_capil/ui/usb_dialog.py" line="110" />
            <source>Batal</source>
            <translation>Cancel</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_dialog.py" line="112" />
            <source>Tutup</source>
            <translation>Close</translation>
        </message>
    </context>
    <context>
        <name>StickFilePicker</name>
        <message>
            <location filename="../../desa_capil/ui/usb_files.py" line="134" />
            <source>Flashdisk</source>
            <translation>USB stick</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_files.py" line="136" />
            <source>Pilih folder…</source>
            <translation>Choose folder…</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_files.py" line="138" />
            <source>Pilih berkas…</source>
            <translation>Choose file…</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_files.py" line="165" />
            <source>(tidak ada flashdisk terbaca; pakai Pilih folder…)</source>
            <translation>(no USB stick found; use Choose folder…)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_files.py" line="179" />
            <source>Pilih folder di flashdisk</source>
            <translation>Choose a folder on the USB stick</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_files.py" line="186" />
            <source>Pilih berkas</source>
            <translation>Choose a file</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_files.py" line="193" />
            <source>Membaca flashdisk…</source>
            <translation>Reading the USB stick…</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_files.py" line="221" />
            <source>Tidak ada berkas yang cocok di sini. Pilih flashdisk atau folder lain.</source>
            <translation>No matching file here. Choose another stick or folder.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_files.py" line="223" />
            <source>Masukkan flashdisk, lalu pilih di atas.</source>
            <translation>Insert the USB stick, then choose it above.</translation>
        </message>
    </context>
    <context>
        <name>SyncController</name>
        <message>
            <location filename="../../desa_capil/ui/sync_controller.py" line="407" />
            <source>Kabar dari Disdukcapil</source>
            <translation>News from the office</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/sync_controller.py" line="408" />
            <source>%1 permohonan berubah status: %2</source>
            <translation>%1 applications changed status: %2</translation>
        </message>
    </context>
    <context>
        <name>UpdateGroup</name>
        <message>
            <location filename="../../desa_capil/ui/update_settings.py" line="73" />
            <source>Pembaruan aplikasi</source>
            <translation>App updates</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/update_settings.py" line="88" />
            <source>Periksa di server</source>
            <translation>Check on the server</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/update_settings.py" line="89" />
            <source>Dari flashdisk…</source>
            <translation>From a USB stick…</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/update_settings.py" line="90" />
            <source>Unduh dan pasang</source>
            <translation>Download and install</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/update_settings.py" line="92" />
            <location filename="../../desa_capil/ui/update_settings.py" line="231" />
            <source>Kembali ke versi sebelumnya</source>
            <translation>Go back to the previous version</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/update_settings.py" line="113" />
            <source>Versi %1. Pembaruan otomatis belum disiapkan untuk instalasi ini.</source>
            <translation>Version %1. Updates are not set up for this installation yet.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/update_settings.py" line="118" />
            <source>Versi %1.</source>
            <translation>Version %1.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/update_settings.py" line="124" />
            <source>Alamat server belum diisi. Isi dulu di bagian Server Disdukcapil.</source>
            <translation>No server address yet. Fill it in under the office server settings first.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/update_settings.py" line="130" />
            <source>Pilih folder pembaruan di flashdisk</source>
            <translation>Choose the update folder on the USB stick</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/update_settings.py" line="137" />
            <source>Memeriksa pembaruan…</source>
            <translation>Checking for updates…</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/update_settings.py" line="143" />
            <source>Tidak ada versi yang lebih baru (versi %1).</source>
            <translation>No newer version (this is %1).</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/update_settings.py" line="148" />
            <source>Versi %1 tersedia: unduhan %2 MB.</source>
            <translation>Version %1 is available: %2 MB to download.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/update_settings.py" line="165" />
            <source>Kiriman sedang diunggah. Pembaruan diunduh setelah kiriman selesai; coba lagi nanti.</source>
            <translation>A batch is being uploaded. The update downloads after it is done; try again later.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/update_settings.py" line="170" />
            <source>Mengunduh dan memeriksa pembaruan…</source>
            <translation>Downloading and checking the update…</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/update_settings.py" line="179" />
            <source>Versi %1 sudah terpasang dan lolos uji. Versi itu dipakai saat aplikasi dibuka lagi.</source>
            <translation>Version %1 is installed and passed its self-test. It is used the next time the app opens.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/update_settings.py" line="190" />
            <location filename="../../desa_capil/ui/update_settings.py" line="204" />
            <source>Kiriman sedang diunggah. Kembali ke versi sebelumnya setelah kiriman selesai.</source>
            <translation>A batch is being uploaded. Go back to the previous version once it is done.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/update_settings.py" line="221" />
            <source>Versi %1 dipakai lagi. Basis data sudah disesuaikan (data tetap utuh); aplikasi ditutup sekarang. Buka lagi aplikasinya.</source>
            <translation>Version %1 is used again. The database was adjusted (all data kept); the app closes now. Open it again.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/update_settings.py" line="227" />
            <source>Versi %1 dipakai lagi saat aplikasi dibuka lagi.</source>
            <translation>Version %1 is used again the next time the app opens.</translation>
        </message>
    </context>
    <context>
        <name>VillagePage</name>
        <message>
            <location filename="../../desa_capil/ui/first_run.py" line="146" />
            <source>Selamat datang</source>
            <translation>Welcome</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/first_run.py" line="148" />
            <source>Aplikasi ini mencatat permohonan adminduk warga, menyimpan berkasnya di laptop, dan mengirimnya ke Disdukcapil. Mulai dengan identitas kantor desa.</source>
            <translation>This app records residents' civil-registration requests, keeps their papers on the laptop and sends them to the civil registration office. Start with the village office's identity.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/first_run.py" line="155" />
            <source>Ketik nama desa, mis. Cileunyi Kulon, lalu pilih</source>
            <translation>Type the village name, e.g. Cileunyi Kulon, then pick</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/first_run.py" line="181" />
            <source>Pilih desa dari daftar Kemendagri 2025 dan kodenya terisi sendiri. Kode: provinsi.kabupaten.kecamatan.desa; desa 2xxx, kelurahan 1xxx, desa adat 3xxx.</source>
            <translation>Pick the village from the 2025 Kemendagri list and its code fills itself. Code: province.regency.district.village; desa 2xxx, kelurahan 1xxx, desa adat 3xxx.</translation>
        </message>
        <message>
            <source>Daftarkan dari flashdisk…</source>
            <translation type="vanished">Enroll from a USB stick…</translation>
        </message>
        <message>
            <source>Berkas pendaftaran (.dcenroll) dan kode di kertas dari kantor Disdukcapil</source>
            <translation type="vanished">Enrollment file (.dcenroll) and the paper code from the Disdukcapil office</translation>
        </message>
        <message>
            <source>Punya berkas dari kantor?</source>
            <translation type="vanished">Have a file from the office?</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/first_run.py" line="257" />
            <source>Kode ini tidak ada di daftar Kemendagri 2025. Periksa lagi; bila desanya baru, lanjutkan.</source>
            <translation>This code is not in the 2025 Kemendagri list. Check again; if the village is new, go on.</translation>
        </message>
        <message>
            <source>mis. Desa Cileunyi Kulon</source>
            <translation type="vanished">e.g. Desa Cileunyi Kulon</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/first_run.py" line="174" />
            <source>Nama desa/kelurahan</source>
            <translation>Village name</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/first_run.py" line="176" />
            <source>Kode wilayah</source>
            <translation>Area code</translation>
        </message>
        <message>
            <source>Kode Kemendagri: provinsi.kabupaten.kecamatan.desa. Desa 2xxx, kelurahan 1xxx. Tanyakan ke kecamatan bila ragu.</source>
            <translation type="vanished">Ministry of Home Affairs code: province.regency.district.village. Desa 2xxx, kelurahan 1xxx. Ask the district office if unsure.</translation>
        </message>
    </context>
    <context>
        <name>app</name>
        <message>
            <location filename="../../desa_capil/app.py" line="88" />
            <source>Masukkan kode pemulihan…</source>
            <translation>Enter recovery code…</translation>
        </message>
        <message>
            <location filename="../../desa_capil/app.py" line="112" />
            <source>Aplikasi sudah terbuka</source>
            <translation>The app is already open</translation>
        </message>
        <message>
            <location filename="../../desa_capil/app.py" line="113" />
            <source>Aplikasi desa_capil sudah terbuka di jendela lain di laptop ini. Pakai jendela itu (lihat di taskbar), atau tutup dulu sebelum membuka lagi.</source>
            <translation>desa_capil is already open in another window on this laptop. Use that window (see the taskbar), or close it before opening again.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/app.py" line="131" />
            <source>Basis data tidak bisa dibuka</source>
            <translation>The database cannot be opened</translation>
        </message>
    </context>
    <context>
        <name>backup</name>
        <message>
            <location filename="../../desa_capil/ui/backup_dialog.py" line="78" />
            <source>Pilih flashdisk (atau folder di flashdisk) untuk cadangan</source>
            <translation>Choose the USB stick (or a folder on it) for the backup</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/backup_dialog.py" line="85" />
            <source>Mencadangkan ke flashdisk…</source>
            <translation>Backing up to the USB stick…</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/backup_dialog.py" line="108" />
            <source>Cadangan selesai</source>
            <translation>Backup done</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/backup_dialog.py" line="109" />
            <source>Cadangan sudah ditulis ke flashdisk dan sudah diperiksa: %1 permohonan, %2 berkas halaman. Simpan flashdisk itu di tempat lain dari laptop, terpisah dari kode pemulihan.</source>
            <translation>The backup was written to the USB stick and checked: %1 applications, %2 page files. Keep the stick away from the laptop, and apart from the recovery code.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/backup_dialog.py" line="381" />
            <source>Selamat datang</source>
            <translation>Welcome</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/backup_dialog.py" line="382" />
            <source>Laptop ini belum berisi data desa_capil. Bila data lama ada di cadangan flashdisk (laptop baru atau Windows dipasang ulang), pulihkan sekarang dengan kode pemulihan.</source>
            <translation>This laptop holds no desa_capil data yet. If the old data is in a USB stick backup (new laptop, or Windows reinstalled), restore it now with the recovery code.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/backup_dialog.py" line="390" />
            <source>Mulai dengan data kosong</source>
            <translation>Start with no data</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/backup_dialog.py" line="394" />
            <source>Pulihkan dari cadangan…</source>
            <translation>Restore from a backup…</translation>
        </message>
    </context>
    <context>
        <name>demo</name>
        <message>
            <location filename="../../desa_capil/ui/demo_mode.py" line="72" />
            <source>MODE DEMO</source>
            <translation>DEMO MODE</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/demo_mode.py" line="75" />
            <source>Data contoh dan server contoh di laptop ini. Semua dihapus saat aplikasi ditutup.</source>
            <translation>Sample data and a sample server on this laptop. Everything is deleted when the app closes.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/demo_mode.py" line="32" />
            <source>Menyiapkan mode demo: server contoh dan data warga contoh...</source>
            <translation>Preparing demo mode: a sample server and sample residents...</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/demo_mode.py" line="34" />
            <source>Mode demo</source>
            <translation>Demo mode</translation>
        </message>
    </context>
    <context>
        <name>errors</name>
        <message>
            <location filename="../../desa_capil/ui/errors.py" line="35" />
            <source>Perhatian</source>
            <translation>Attention</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/errors.py" line="48" />
            <source>Terjadi kesalahan program</source>
            <translation>Program error</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/errors.py" line="50" />
            <source>Maaf, terjadi kesalahan di dalam program. Data yang sudah tersimpan aman. Catatan kesalahan sudah disimpan di log; kirimkan rinciannya ke petugas Disdukcapil.</source>
            <translation>Sorry, something went wrong inside the program. Data already saved is safe. The error was written to the log; send the details to the office.</translation>
        </message>
    </context>
    <context>
        <name>forms</name>
        <message>
            <location filename="../../desa_capil/ui/intake/forms_print.py" line="25" />
            <source>Tanda terima dokumen asli</source>
            <translation>Receipt for original documents</translation>
        </message>
    </context>
    <context>
        <name>parent</name>
        <message>
            <source>Belum tersedia</source>
            <translation type="vanished">Not available yet</translation>
        </message>
        <message>
            <source>Formulir permohonan sedang disiapkan dan belum bisa dibuka di versi ini.</source>
            <translation type="vanished">The application form is being prepared and cannot be opened in this version.</translation>
        </message>
    </context>
    <context>
        <name>printing</name>
        <message>
            <location filename="../../desa_capil/ui/printing.py" line="91" />
            <source>Cetak: {0}</source>
            <translation>Print: {0}</translation>
        </message>
    </context>
    <context>
        <name>receipts</name>
        <message>
            <location filename="../../desa_capil/ui/receipt_actions.py" line="96" />
            <source>Tanda terima berkas</source>
            <translation>Papers receipt</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/receipt_actions.py" line="116" />
            <source>Tanda terima penyerahan</source>
            <translation>Hand-over receipt</translation>
        </message>
    </context>
    <context>
        <name>usb</name>
        <message>
            <location filename="../../desa_capil/ui/usb_enroll_dialog.py" line="43" />
            <source>%1 (%2) — dari %3</source>
            <translation>%1 (%2) — from %3</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_relay_dialog.py" line="44" />
            <source>%1 — tidak terbaca (%2)</source>
            <translation>%1 — unreadable (%2)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_receive_dialog.py" line="67" />
            <source>Dari kantor, dibuat %1 — %2</source>
            <translation>From the office, made %1 — %2</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_receive_dialog.py" line="58" />
            <source>%1 — kiriman desa %2 (untuk kantor; bisa dititipkan lewat 'Titip kirim')</source>
            <translation>%1 — bundle of village %2 (for the office; can be relayed through 'Titip kirim')</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_receive_dialog.py" line="63" />
            <source>%1 — dari kantor untuk desa lain (%2)</source>
            <translation>%1 — from the office for another village (%2)</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_receive_dialog.py" line="78" />
            <source>Berkas ini sudah diterima sebelumnya, atau kabarnya sudah datang lewat internet: tidak ada yang baru. Tidak ada yang diubah.</source>
            <translation>This file was received before, or its news already came online: nothing new. Nothing was changed.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_receive_dialog.py" line="90" />
            <source>%1 kiriman dipastikan sudah diterima kantor.</source>
            <translation>%1 batches confirmed as received by the office.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_receive_dialog.py" line="96" />
            <source>%1 kiriman ditolak kantor dan disisihkan; alasannya ada di halaman Kiriman.</source>
            <translation>%1 batches were refused by the office and set aside; the reason is on the Batches page.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_receive_dialog.py" line="103" />
            <source>Daftar layanan kantor versi %1 sekarang dipakai.</source>
            <translation>The office's service list version %1 is now in use.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_receive_dialog.py" line="107" />
            <source>%1 dokumen lain masih ditunggu (diunduh saat ada internet, atau di flashdisk berikutnya).</source>
            <translation>%1 other documents are still awaited (downloaded when online, or on the next stick).</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_receive_dialog.py" line="84" />
            <source>Diterima dari kantor: %1 perubahan status, %2 dokumen bertanda tangan.</source>
            <translation>Received from the office: %1 status changes, %2 signed documents.</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_relay_dialog.py" line="55" />
            <source>Kiriman desa %1, dibuat %2, %3 — %4</source>
            <translation>Bundle of village %1, made %2, %3 — %4</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_relay_dialog.py" line="49" />
            <source>%1 — dari kantor (diterima di desa lewat 'Terima dari flashdisk')</source>
            <translation>%1 — from the office (received in the village through 'Terima dari flashdisk')</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_actions.py" line="39" />
            <source>Flashdisk</source>
            <translation>USB stick</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_actions.py" line="40" />
            <source>Kiriman lewat flashdisk untuk desa tanpa sinyal</source>
            <translation>Sending by USB stick for villages without signal</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_actions.py" line="44" />
            <source>Terima dari flashdisk…</source>
            <translation>Receive from a USB stick…</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_actions.py" line="47" />
            <source>Titip kirim (berkas desa lain)…</source>
            <translation>Relay (another village's file)…</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_files.py" line="44" />
            <source>terpotong</source>
            <translation>cut short</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_files.py" line="45" />
            <source>rusak atau diubah</source>
            <translation>damaged or altered</translation>
        </message>
        <message>
            <location filename="../../desa_capil/ui/usb_files.py" line="46" />
            <source>bukan berkas kiriman</source>
            <translation>not a bundle file</translation>
        </message>
    </context>
</TS>
