-- One database per service, created by the postgres image on its first start
-- (files in /docker-entrypoint-initdb.d run only while the data volume is empty).
CREATE DATABASE allocation;
CREATE DATABASE catalog;
CREATE DATABASE notifier;
