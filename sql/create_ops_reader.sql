-- The read-only FAC user opsync connects as (FAC_DB_USERNAME / FAC_DB_PASSWORD).
-- It may SELECT on the FAC database and nothing else, anywhere.
--
-- Run as a MySQL/MariaDB administrator, giving the three values through mysql's input, never on its
-- command line (where `ps` shows the password to every local user, and the shell's history keeps it):
--   read -rs -p 'Password: ' OPS_READER_PASSWORD && echo
--   printf "SET @fac_db='facturation', @reader='ops_reader', @password='%s';\nSOURCE sql/create_ops_reader.sql;\n" \
--     "$OPS_READER_PASSWORD" | mysql -u root -p
-- @reader connects from any host ('%'); narrow it to the OPS server's address
-- in production by editing the lines marked HOST.

SET @create_user = CONCAT('CREATE USER IF NOT EXISTS ', QUOTE(@reader), '@''%'' IDENTIFIED BY ', QUOTE(@password)); -- HOST
PREPARE stmt FROM @create_user; EXECUTE stmt; DEALLOCATE PREPARE stmt;

-- Re-running the script resets the password and drops any grant added by hand.
SET @reset_password = CONCAT('ALTER USER ', QUOTE(@reader), '@''%'' IDENTIFIED BY ', QUOTE(@password)); -- HOST
PREPARE stmt FROM @reset_password; EXECUTE stmt; DEALLOCATE PREPARE stmt;
SET @revoke_all = CONCAT('REVOKE ALL PRIVILEGES, GRANT OPTION FROM ', QUOTE(@reader), '@''%'''); -- HOST
PREPARE stmt FROM @revoke_all; EXECUTE stmt; DEALLOCATE PREPARE stmt;

SET @grant_select = CONCAT('GRANT SELECT ON `', REPLACE(@fac_db, '`', '``'), '`.* TO ', QUOTE(@reader), '@''%'''); -- HOST
PREPARE stmt FROM @grant_select; EXECUTE stmt; DEALLOCATE PREPARE stmt;
