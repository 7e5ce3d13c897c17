-- FAC's five tables as the billing application (Laravel migrations) creates them.
-- `build_demo_facturation` creates them so in a MySQL FAC for a rehearsal; the test suite and
-- the benchmark load them into their own FAC databases; tests/test_schema.py holds them to
-- syncapp/fac_models.py column for column.

CREATE TABLE clients (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  nom VARCHAR(255) NOT NULL,
  email VARCHAR(255) NULL,
  telephone VARCHAR(255) NULL,
  adresse VARCHAR(255) NULL,
  ville VARCHAR(255) NULL,
  pays VARCHAR(255) NOT NULL DEFAULT 'Gabon',
  type ENUM('Particulier','Entreprise') NOT NULL DEFAULT 'Entreprise',
  rccm VARCHAR(255) NULL,
  nif VARCHAR(255) NULL,
  contact_principal VARCHAR(255) NULL,
  solde DECIMAL(15,2) NOT NULL DEFAULT 0,
  limite_credit DECIMAL(15,2) NOT NULL DEFAULT 0,
  notes TEXT NULL,
  created_at TIMESTAMP NULL,
  updated_at TIMESTAMP NULL,
  deleted_at TIMESTAMP NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE transitaires (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  nom VARCHAR(255) NOT NULL,
  email VARCHAR(255) NULL,
  telephone VARCHAR(255) NULL,
  adresse VARCHAR(255) NULL,
  contact_principal VARCHAR(255) NULL,
  nif VARCHAR(255) NULL,
  rccm VARCHAR(255) NULL,
  actif TINYINT(1) NOT NULL DEFAULT 1,
  created_at TIMESTAMP NULL,
  updated_at TIMESTAMP NULL,
  deleted_at TIMESTAMP NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE armateurs (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  nom VARCHAR(255) NOT NULL,
  code VARCHAR(255) NULL,
  email VARCHAR(255) NULL,
  telephone VARCHAR(255) NULL,
  adresse VARCHAR(255) NULL,
  actif TINYINT(1) NOT NULL DEFAULT 1,
  created_at TIMESTAMP NULL,
  updated_at TIMESTAMP NULL,
  deleted_at TIMESTAMP NULL,
  PRIMARY KEY (id),
  UNIQUE KEY armateurs_code_unique (code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE representants (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  nom VARCHAR(255) NOT NULL,
  prenom VARCHAR(255) NULL,
  email VARCHAR(255) NULL,
  telephone VARCHAR(255) NULL,
  adresse VARCHAR(255) NULL,
  zone VARCHAR(255) NULL,
  taux_commission DECIMAL(5,2) NULL,
  actif TINYINT(1) NOT NULL DEFAULT 1,
  created_at TIMESTAMP NULL,
  updated_at TIMESTAMP NULL,
  deleted_at TIMESTAMP NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE services (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  code VARCHAR(50) NOT NULL,
  nom VARCHAR(255) NOT NULL,
  description TEXT NULL,
  prix_unitaire DECIMAL(15,2) NOT NULL DEFAULT 0,
  unite VARCHAR(50) NULL,
  categorie VARCHAR(100) NULL,
  statut VARCHAR(20) NOT NULL DEFAULT 'actif',
  created_at TIMESTAMP NULL,
  updated_at TIMESTAMP NULL,
  deleted_at TIMESTAMP NULL,
  PRIMARY KEY (id),
  UNIQUE KEY services_code_unique (code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
