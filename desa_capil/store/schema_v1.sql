-- Schema version 1 of the local database, frozen. Never edit: add a migration step instead.

CREATE TABLE applicant (
	id VARCHAR NOT NULL, 
	nik VARCHAR NOT NULL, 
	name VARCHAR NOT NULL, 
	kk_number VARCHAR NOT NULL, 
	phone VARCHAR NOT NULL, 
	address VARCHAR NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	PRIMARY KEY (id)
);

CREATE INDEX ix_applicant_name ON applicant (name);

CREATE INDEX ix_applicant_nik ON applicant (nik);

CREATE TABLE operator (
	id INTEGER NOT NULL, 
	name VARCHAR NOT NULL, 
	active BOOLEAN NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id)
);

CREATE TABLE outbox (
	id INTEGER NOT NULL, 
	kind VARCHAR NOT NULL, 
	ref_id VARCHAR NOT NULL, 
	batch_id VARCHAR, 
	payload VARCHAR NOT NULL, 
	state VARCHAR NOT NULL, 
	attempts INTEGER NOT NULL, 
	next_attempt_at DATETIME, 
	last_error VARCHAR NOT NULL, 
	upload_url VARCHAR NOT NULL, 
	upload_offset INTEGER NOT NULL, 
	upload_length INTEGER NOT NULL, 
	created_at DATETIME NOT NULL, 
	done_at DATETIME, 
	PRIMARY KEY (id)
);

CREATE INDEX ix_outbox_batch_id ON outbox (batch_id);

CREATE INDEX ix_outbox_kind ON outbox (kind);

CREATE INDEX ix_outbox_ref_id ON outbox (ref_id);

CREATE INDEX ix_outbox_state ON outbox (state);

CREATE TABLE setting (
	"key" VARCHAR NOT NULL, 
	value VARCHAR NOT NULL, 
	PRIMARY KEY ("key")
);

CREATE TABLE syncstate (
	"key" VARCHAR NOT NULL, 
	value VARCHAR NOT NULL, 
	PRIMARY KEY ("key")
);

CREATE TABLE batch (
	id VARCHAR NOT NULL, 
	state VARCHAR NOT NULL, 
	sealed_at DATETIME NOT NULL, 
	sent_at DATETIME, 
	application_count INTEGER NOT NULL, 
	page_count INTEGER NOT NULL, 
	total_bytes INTEGER NOT NULL, 
	bytes_sent INTEGER NOT NULL, 
	last_error VARCHAR NOT NULL, 
	operator_id INTEGER, 
	PRIMARY KEY (id), 
	FOREIGN KEY(operator_id) REFERENCES operator (id)
);

CREATE INDEX ix_batch_state ON batch (state);

CREATE TABLE application (
	id VARCHAR NOT NULL, 
	applicant_id VARCHAR NOT NULL, 
	service_code VARCHAR NOT NULL, 
	status VARCHAR NOT NULL, 
	urgency VARCHAR NOT NULL, 
	notes VARCHAR NOT NULL, 
	office_message VARCHAR NOT NULL, 
	batch_id VARCHAR, 
	operator_id INTEGER, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	status_at DATETIME NOT NULL, 
	sent_at DATETIME, 
	PRIMARY KEY (id), 
	FOREIGN KEY(applicant_id) REFERENCES applicant (id), 
	FOREIGN KEY(batch_id) REFERENCES batch (id), 
	FOREIGN KEY(operator_id) REFERENCES operator (id)
);

CREATE INDEX ix_application_applicant_id ON application (applicant_id);

CREATE INDEX ix_application_batch_id ON application (batch_id);

CREATE INDEX ix_application_created_at ON application (created_at);

CREATE INDEX ix_application_service_code ON application (service_code);

CREATE INDEX ix_application_status ON application (status);

CREATE TABLE batchapplication (
	batch_id VARCHAR NOT NULL, 
	application_id VARCHAR NOT NULL, 
	addendum BOOLEAN NOT NULL, 
	PRIMARY KEY (batch_id, application_id), 
	FOREIGN KEY(batch_id) REFERENCES batch (id), 
	FOREIGN KEY(application_id) REFERENCES application (id)
);

CREATE INDEX ix_batchapplication_application_id ON batchapplication (application_id);

CREATE TABLE document (
	id VARCHAR NOT NULL, 
	application_id VARCHAR NOT NULL, 
	requirement_code VARCHAR NOT NULL, 
	file_sha256 VARCHAR, 
	file_size INTEGER NOT NULL, 
	page_count INTEGER NOT NULL, 
	mime VARCHAR NOT NULL, 
	batch_id VARCHAR, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(application_id) REFERENCES application (id), 
	FOREIGN KEY(batch_id) REFERENCES batch (id)
);

CREATE INDEX ix_document_application_id ON document (application_id);

CREATE INDEX ix_document_batch_id ON document (batch_id);

CREATE TABLE handover (
	id VARCHAR NOT NULL, 
	application_id VARCHAR NOT NULL, 
	recipient_name VARCHAR NOT NULL, 
	relation VARCHAR NOT NULL, 
	recipient_nik VARCHAR NOT NULL, 
	id_checked BOOLEAN NOT NULL, 
	handed_at DATETIME NOT NULL, 
	operator_id INTEGER, 
	signature_sha256 VARCHAR, 
	photo_sha256 VARCHAR, 
	receipt_sha256 VARCHAR, 
	PRIMARY KEY (id), 
	UNIQUE (application_id), 
	FOREIGN KEY(application_id) REFERENCES application (id), 
	FOREIGN KEY(operator_id) REFERENCES operator (id)
);

CREATE TABLE officedocument (
	id VARCHAR NOT NULL, 
	application_id VARCHAR NOT NULL, 
	title VARCHAR NOT NULL, 
	dispatch_id VARCHAR NOT NULL, 
	dispatched_at DATETIME, 
	has_file BOOLEAN NOT NULL, 
	file_sha256 VARCHAR, 
	arrived_at DATETIME, 
	PRIMARY KEY (id), 
	FOREIGN KEY(application_id) REFERENCES application (id)
);

CREATE INDEX ix_officedocument_application_id ON officedocument (application_id);

CREATE INDEX ix_officedocument_dispatch_id ON officedocument (dispatch_id);

CREATE TABLE statuschange (
	id INTEGER NOT NULL, 
	application_id VARCHAR NOT NULL, 
	status VARCHAR NOT NULL, 
	message VARCHAR NOT NULL, 
	actor VARCHAR NOT NULL, 
	server_seq INTEGER, 
	at DATETIME NOT NULL, 
	operator_id INTEGER, 
	PRIMARY KEY (id), 
	FOREIGN KEY(application_id) REFERENCES application (id), 
	FOREIGN KEY(operator_id) REFERENCES operator (id)
);

CREATE INDEX ix_statuschange_application_id ON statuschange (application_id);

CREATE INDEX ix_statuschange_server_seq ON statuschange (server_seq);

CREATE TABLE page (
	id VARCHAR NOT NULL, 
	document_id VARCHAR NOT NULL, 
	position INTEGER NOT NULL, 
	original_sha256 VARCHAR, 
	processed_sha256 VARCHAR NOT NULL, 
	thumb_sha256 VARCHAR, 
	mime VARCHAR NOT NULL, 
	width INTEGER NOT NULL, 
	height INTEGER NOT NULL, 
	dpi INTEGER NOT NULL, 
	mode VARCHAR NOT NULL, 
	size_bytes INTEGER NOT NULL, 
	rotation INTEGER NOT NULL, 
	source VARCHAR NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(document_id) REFERENCES document (id)
);

CREATE INDEX ix_page_document_id ON page (document_id);
