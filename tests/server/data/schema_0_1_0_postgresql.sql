-- Server schema of the release before Alembic (made by create_all), for the upgrade test.
CREATE TABLE adminaction (
	id SERIAL NOT NULL, 
	at TIMESTAMP WITH TIME ZONE NOT NULL, 
	actor VARCHAR(40) NOT NULL, 
	action VARCHAR(60) NOT NULL, 
	target VARCHAR(200) NOT NULL, 
	detail TEXT NOT NULL, 
	PRIMARY KEY (id)
);
CREATE TABLE counter (
	name VARCHAR(32) NOT NULL, 
	value INTEGER NOT NULL, 
	PRIMARY KEY (name)
);
CREATE TABLE village (
	id SERIAL NOT NULL, 
	code VARCHAR(13) NOT NULL, 
	name VARCHAR(200) NOT NULL, 
	created_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	PRIMARY KEY (id)
);
CREATE UNIQUE INDEX ix_village_code ON village (code);
CREATE TABLE application (
	id SERIAL NOT NULL, 
	village_id INTEGER NOT NULL, 
	client_id VARCHAR(36) NOT NULL, 
	batch_client_id VARCHAR(36) NOT NULL, 
	service_code VARCHAR(64) NOT NULL, 
	nik VARCHAR(16) NOT NULL, 
	name VARCHAR(200) NOT NULL, 
	kk_number VARCHAR(16) NOT NULL, 
	phone VARCHAR(32) NOT NULL, 
	address VARCHAR(500) NOT NULL, 
	urgency VARCHAR(32) NOT NULL, 
	notes TEXT NOT NULL, 
	status VARCHAR(32) NOT NULL, 
	message TEXT NOT NULL, 
	received_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	updated_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (village_id, client_id), 
	FOREIGN KEY(village_id) REFERENCES village (id)
);
CREATE INDEX ix_application_status ON application (status, id);
CREATE INDEX ix_application_village_id ON application (village_id);
CREATE TABLE batch (
	id SERIAL NOT NULL, 
	village_id INTEGER NOT NULL, 
	client_id VARCHAR(36) NOT NULL, 
	device_id VARCHAR(32) NOT NULL, 
	content_hash VARCHAR(64) NOT NULL, 
	received_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	receipt_json TEXT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (village_id, client_id), 
	FOREIGN KEY(village_id) REFERENCES village (id)
);
CREATE INDEX ix_batch_village_id ON batch (village_id);
CREATE TABLE device (
	id VARCHAR(32) NOT NULL, 
	village_id INTEGER NOT NULL, 
	name VARCHAR(100) NOT NULL, 
	app_version VARCHAR(40) NOT NULL, 
	token_hash VARCHAR(64) NOT NULL, 
	enrolled_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	last_seen_at TIMESTAMP WITH TIME ZONE, 
	revoked_at TIMESTAMP WITH TIME ZONE, 
	PRIMARY KEY (id), 
	FOREIGN KEY(village_id) REFERENCES village (id), 
	UNIQUE (token_hash)
);
CREATE INDEX ix_device_village_id ON device (village_id);
CREATE TABLE enrollmentcode (
	id SERIAL NOT NULL, 
	village_id INTEGER NOT NULL, 
	code_hash VARCHAR(64) NOT NULL, 
	created_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	expires_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	used_at TIMESTAMP WITH TIME ZONE, 
	device_id VARCHAR, 
	PRIMARY KEY (id), 
	FOREIGN KEY(village_id) REFERENCES village (id), 
	UNIQUE (code_hash)
);
CREATE INDEX ix_enrollmentcode_village_id ON enrollmentcode (village_id);
CREATE TABLE event (
	id SERIAL NOT NULL, 
	village_id INTEGER NOT NULL, 
	client_id VARCHAR(36) NOT NULL, 
	application_id INTEGER, 
	content_hash VARCHAR(64) NOT NULL, 
	payload_json TEXT NOT NULL, 
	result_json TEXT NOT NULL, 
	received_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (village_id, client_id), 
	FOREIGN KEY(village_id) REFERENCES village (id)
);
CREATE INDEX ix_event_village_id ON event (village_id);
CREATE TABLE upload (
	id VARCHAR(32) NOT NULL, 
	village_id INTEGER NOT NULL, 
	device_id VARCHAR(32) NOT NULL, 
	length INTEGER NOT NULL, 
	"offset" INTEGER NOT NULL, 
	filename VARCHAR(255) NOT NULL, 
	filetype VARCHAR(100) NOT NULL, 
	sha256_claimed VARCHAR(64) NOT NULL, 
	sha256 VARCHAR(64), 
	created_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	updated_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	expires_at TIMESTAMP WITH TIME ZONE, 
	document_id INTEGER, 
	PRIMARY KEY (id), 
	FOREIGN KEY(village_id) REFERENCES village (id)
);
CREATE INDEX ix_upload_village_id ON upload (village_id);
CREATE TABLE appdocument (
	id SERIAL NOT NULL, 
	application_id INTEGER NOT NULL, 
	client_id VARCHAR(36) NOT NULL, 
	batch_client_id VARCHAR(36) NOT NULL, 
	requirement_code VARCHAR(64) NOT NULL, 
	upload_id VARCHAR(32) NOT NULL, 
	sha256 VARCHAR(64) NOT NULL, 
	size INTEGER NOT NULL, 
	page_count INTEGER NOT NULL, 
	mime VARCHAR(100) NOT NULL, 
	received_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (application_id, client_id), 
	FOREIGN KEY(application_id) REFERENCES application (id)
);
CREATE INDEX ix_appdocument_application_id ON appdocument (application_id);
CREATE TABLE change (
	seq INTEGER NOT NULL, 
	village_id INTEGER NOT NULL, 
	application_id INTEGER NOT NULL, 
	status VARCHAR(32) NOT NULL, 
	actor VARCHAR(16) NOT NULL, 
	message TEXT NOT NULL, 
	at TIMESTAMP WITH TIME ZONE NOT NULL, 
	documents_json TEXT NOT NULL, 
	PRIMARY KEY (seq), 
	FOREIGN KEY(village_id) REFERENCES village (id), 
	FOREIGN KEY(application_id) REFERENCES application (id)
);
CREATE INDEX ix_change_village_seq ON change (village_id, seq);
CREATE INDEX ix_change_application_id ON change (application_id);
CREATE TABLE finisheddocument (
	id VARCHAR(32) NOT NULL, 
	application_id INTEGER NOT NULL, 
	village_id INTEGER NOT NULL, 
	title VARCHAR(200) NOT NULL, 
	has_file BOOLEAN NOT NULL, 
	size INTEGER, 
	sha256 VARCHAR(64), 
	created_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(application_id) REFERENCES application (id), 
	FOREIGN KEY(village_id) REFERENCES village (id)
);
CREATE INDEX ix_finisheddocument_application_id ON finisheddocument (application_id);
CREATE INDEX ix_finisheddocument_village_id ON finisheddocument (village_id);
