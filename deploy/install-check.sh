#!/usr/bin/env bash
# The guide's installation (docs/guide-exploitation.md, « Installation en production »), replayed as a
# technician follows it, on a bare Debian 12 made by debootstrap: the guide's commands, as written,
# run in that root, and what each step must reach checked. Run as root, on a machine that reaches
# Debian's packages and PyPI:
#
#     deploy/install-check.sh [FOLDER] 2>&1 | tee deploy/install-check.txt
#
# FOLDER (default /var/tmp/opsync-install-check) is a copy of debootstrap's root (made once, kept as
# FOLDER.bare), and is kept after, for a look (`chroot FOLDER`); its processes are stopped and its
# mounts undone.
#
# Where the guide asks what only a person or systemd does, the script does the same by other means,
# each said in the transcript with a `#`:
# - the database server is this same root: MariaDB, started by start-stop-daemon, on 127.0.0.2 (the
#   machine's own MariaDB may hold 127.0.0.1:3306); its root logs in by its Unix socket: `mysql -u root`,
#   without the guide's -p, which would ask for a password at the keyboard;
# - FAC is the billing application's database as build_demo_facturation makes it, OPS the operations
#   application's as its own Laravel migrations make it (tests/laravel/ops.php: clients, armateurs);
# - a password typed at `read` comes from the script; `editor` is the guide's lines written in the file;
# - no systemd in a chroot: a unit's ExecStart runs as its User, from its WorkingDirectory, under
#   start-stop-daemon; nginx is started after `nginx -t`, where the guide reloads it.
set -euo pipefail

ROOT=${1:-/var/tmp/opsync-install-check}
REPO=$(cd "$(dirname "$0")/.." && pwd)
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
DB=127.0.0.2          # the database server, as the guide's .env names it (DB_HOST, FAC_DB_HOST)
NAME=ops-sync.example.ga

say() { printf '\n## %s\n' "$*"; }
# A command in the root, printed first as the guide shows it (`$ …`), run by bash with -euo pipefail.
run() {
    printf '$ %s\n' "$1"
    chroot "$ROOT" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb DEBIAN_FRONTEND=noninteractive \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        bash -euo pipefail -c "cd ${2:-/root} && $1"
}
# The same, as the guide's `sudo -u opsync …` from /srv/opsync.
as_opsync() { run "sudo -u opsync $1" /srv/opsync; }
fail() { printf '\ninstall check FAILED: %s\n' "$*"; exit 1; }

stop_everything() {
    for proc in /proc/[0-9]*; do
        if [ "$(readlink "$proc/root" 2>/dev/null)" = "$ROOT" ]; then kill "${proc#/proc/}" 2>/dev/null || true; fi
    done
    sleep 2
    for mount in dev/pts dev proc sys; do umount -l "$ROOT/$mount" 2>/dev/null || true; done
}

[ "$(id -u)" = 0 ] || fail "run as root (debootstrap, chroot)"
command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap >/dev/null

say "A bare Debian 12 (bookworm) in $ROOT"
# debootstrap's root is kept beside it ($ROOT.bare), and each check starts from a copy of it.
if [ ! -f "$ROOT.bare/etc/debian_version" ]; then
    rm -rf "$ROOT.bare"
    debootstrap bookworm "$ROOT.bare" "$MIRROR" > "$ROOT.debootstrap.log" 2>&1 || fail "debootstrap: see $ROOT.debootstrap.log"
fi
if [ -e "$ROOT" ]; then
    for mount in dev/pts dev proc sys; do umount -l "$ROOT/$mount" 2>/dev/null || true; done
    rm -rf --one-file-system "$ROOT"
fi
cp -a "$ROOT.bare" "$ROOT"
echo "Debian $(cat "$ROOT/etc/debian_version"), $(du -sh "$ROOT" | cut -f1)"
trap stop_everything EXIT
mount -t proc proc "$ROOT/proc"
mount -t sysfs sys "$ROOT/sys"
mount --bind /dev "$ROOT/dev"
mount --bind /dev/pts "$ROOT/dev/pts"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
# The machine's name, as Debian's installer writes it (sudo looks it up).
hostname > "$ROOT/etc/hostname" && printf '127.0.1.1\t%s\n' "$(hostname)" >> "$ROOT/etc/hosts"
# A network that reaches PyPI through a proxy of its own trusts that proxy's authority: so does the root,
# as a server on that network would (the certificates this machine added, and pip told to use them).
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    mkdir -p "$ROOT/usr/local/share/ca-certificates" && cp /usr/local/share/ca-certificates/*.crt "$ROOT/usr/local/share/ca-certificates/"
    printf '[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n' > "$ROOT/etc/pip.conf"
fi
# Packages are installed, not started (a chroot has no init to start them): the script starts each.
printf '#!/bin/sh\nexit 101\n' > "$ROOT/usr/sbin/policy-rc.d" && chmod +x "$ROOT/usr/sbin/policy-rc.d"
# The repository the technician clones: this one, as it is committed.
git -C "$REPO" bundle create "$ROOT/var/tmp/opsync.bundle" HEAD "$(git -C "$REPO" symbolic-ref -q --short HEAD || echo HEAD)" 2>/dev/null
chmod 644 "$ROOT/var/tmp/opsync.bundle"

say "The database server: MariaDB, FAC's billing data, OPS as the Laravel application made it"
run "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mariadb-server php-cli php-laravel-framework php-mysql nginx-light openssl curl ca-certificates >/dev/null && update-ca-certificates >/dev/null"
# What Debian's mariadb.service would say: the user it runs as, and its folder in /run.
run "printf '[mysqld]\nuser = mysql\nbind-address = $DB\n' > /etc/mysql/mariadb.conf.d/99-install-check.cnf && install -d -o mysql -g mysql /run/mysqld"
# A pid file of its own: start-stop-daemon would take this machine's own mariadbd, which a chroot sees, for it.
run "start-stop-daemon --start --background --make-pidfile --pidfile /run/mariadbd.pid --exec /usr/sbin/mariadbd"
run "for _ in \$(seq 60); do mysqladmin ping >/dev/null 2>&1 && break; sleep 1; done; mysqladmin ping"
run "mysql -u root -e \"CREATE DATABASE facturation CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci; CREATE DATABASE operations CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci; CREATE USER laravel@'%' IDENTIFIED BY 'laravel-install-check'; GRANT ALL ON facturation.* TO laravel@'%'; GRANT ALL ON operations.* TO laravel@'%'\""

say "Step 1: system packages and user"
run "apt-get install -y python3.11 python3.11-venv python3-dev pkg-config libmariadb-dev gcc mariadb-client cron git sudo >/dev/null"
run "adduser --system --group --home /srv/opsync opsync"
run "sudo -u opsync git clone /var/tmp/opsync.bundle /srv/opsync && cd /srv/opsync"
as_opsync "python3.11 -m venv .venv && sudo -u opsync .venv/bin/pip install --quiet --require-hashes -r requirements.txt"
as_opsync ".venv/bin/pip list 2>/dev/null | grep -iE '^(django|mysqlclient|gunicorn) '"

say "# The billing application's FAC and the operations application's OPS, before opsync"
run "sudo -u opsync env DEBUG=true FAC_DB_CONNECTION=mysql FAC_DB_HOST=$DB FAC_DB_DATABASE=facturation FAC_DB_USERNAME=laravel FAC_DB_ADMIN_PASSWORD=laravel-install-check .venv/bin/python manage.py build_demo_facturation --user laravel" /srv/opsync
run "for command in build armateurs; do OPS_TEST_DB_HOST=$DB OPS_TEST_DB_DATABASE=operations OPS_TEST_DB_USERNAME=laravel OPS_TEST_DB_PASSWORD=laravel-install-check php tests/laravel/ops.php \$command; done" /srv/opsync

say "Step 2: FAC's read-only user"
run "read -rs -p 'Mot de passe du lecteur FAC : ' OPS_READER_PASSWORD <<< 'lecteur-fac-install-check-7Qz' && echo
printf \"SET @fac_db='facturation', @reader='ops_reader', @password='%s';\\nSOURCE sql/create_ops_reader.sql;\\n\" \"\$OPS_READER_PASSWORD\" | mysql -u root
unset OPS_READER_PASSWORD" /srv/opsync

say "Step 3: opsync's OPS user (the database operations is the application's)"
run "mysql -u root -e \"CREATE USER 'opsync'@'%' IDENTIFIED BY 'opsync-install-check-Kd82'; GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, INDEX, DROP, REFERENCES ON operations.* TO 'opsync'@'%';\""

say "Step 4: .env"
run "install -m 600 -o opsync -g opsync .env.example .env" /srv/opsync
run "cat > .env <<EOF
DEBUG=false
SECRET_KEY=\$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')
ALLOWED_HOSTS=$NAME
CSRF_TRUSTED_ORIGINS=https://$NAME
DB_CONNECTION=mysql
DB_HOST=$DB
DB_DATABASE=operations
DB_USERNAME=opsync
DB_PASSWORD=opsync-install-check-Kd82
FAC_DB_CONNECTION=mysql
FAC_DB_HOST=$DB
FAC_DB_DATABASE=facturation
FAC_DB_USERNAME=ops_reader
FAC_DB_PASSWORD=lecteur-fac-install-check-7Qz
OPSYNC_BASE_URL=https://$NAME
EOF
stat -c '%a %U %n' .env" /srv/opsync

say "Step 5, as a technician who skipped the note: migrate on the application's OPS, without the mapping file"
if run "sudo -u opsync .venv/bin/python manage.py migrate -v0" /srv/opsync; then fail "migrate made mirrors beside the application's clients"; fi
run "mysql -u root -N -e 'SHOW TABLES FROM operations' | grep -vE '^(auth|django|axes|syncapp)_' | tr '\n' ' '; echo"

say "Replacing the Laravel command, steps 1-2: the mapping file (the example adopts clients and armateurs)"
as_opsync "cp deploy/mapping.example.toml mapping.toml"
run "echo SYNC_MAPPING_FILE=mapping.toml >> .env" /srv/opsync

say "Step 5: migrate, check, first run, admin account, static files"
as_opsync ".venv/bin/python manage.py migrate"
as_opsync ".venv/bin/python manage.py sync_from_facturation --check"
as_opsync ".venv/bin/python manage.py sync_from_facturation --dry-run"
as_opsync ".venv/bin/python manage.py sync_from_facturation"
as_opsync "env DJANGO_SUPERUSER_PASSWORD=admin-install-check-5vX .venv/bin/python manage.py createsuperuser --noinput --username admin --email admin@example.ga"
as_opsync ".venv/bin/python manage.py collectstatic --noinput"
as_opsync ".venv/bin/python manage.py check --deploy"

say "Step 6: gunicorn, behind nginx"
run "cp deploy/opsync.service /etc/systemd/system/" /srv/opsync
echo "# no systemd here: opsync.service's ExecStart, as its User, from its WorkingDirectory"
run "start-stop-daemon --start --background --make-pidfile --pidfile /run/opsync.pid --chuid opsync:opsync --chdir /srv/opsync --umask 0027 --exec /srv/opsync/.venv/bin/gunicorn -- opsync.wsgi --bind 127.0.0.1:8010 --workers 2 --timeout 300"
echo "# the site's certificate (self-signed here), at the paths the nginx file names"
run "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=$NAME -addext subjectAltName=DNS:$NAME -keyout /etc/ssl/private/$NAME.key -out /etc/ssl/certs/$NAME.pem 2>/dev/null"
run "cp deploy/nginx-opsync.conf /etc/nginx/sites-available/opsync" /srv/opsync
run "ln -s ../sites-available/opsync /etc/nginx/sites-enabled/opsync"
run "rm /etc/nginx/sites-enabled/default  # Debian's own default_server: the file's note says to keep one"
run "nginx -t && nginx"

say "Step 7: cron"
as_opsync ".venv/bin/python manage.py crontab add"
run "crontab -l -u opsync"

say "Step 7 bis: the watcher"
run "echo SYNC_WATCH=true >> .env" /srv/opsync
as_opsync ".venv/bin/python manage.py crontab add"
run "cp deploy/opsync-watch.service /etc/systemd/system/" /srv/opsync
echo "# no systemd here: opsync-watch.service's ExecStart, as its User, from its WorkingDirectory"
run "start-stop-daemon --start --background --make-pidfile --pidfile /run/opsync-watch.pid --chuid opsync:opsync --chdir /srv/opsync --umask 0027 --exec /srv/opsync/.venv/bin/python -- manage.py sync_from_facturation --watch"

say "Step 9: what the monitor sees"
run "for _ in \$(seq 60); do curl -fs -o /dev/null http://127.0.0.1:8010/healthz/sync && break; sleep 1; done
curl -s -w ' HTTP %{http_code}\n' http://127.0.0.1:8010/healthz/sync"
run "curl -s -o /dev/null -w 'HTTP %{http_code}\n' http://127.0.0.1:8010/healthz/sync | grep -qx 'HTTP 200'"
run "curl -s --cacert /etc/ssl/certs/$NAME.pem --resolve $NAME:443:127.0.0.1 -w ' HTTP %{http_code}\n' https://$NAME/healthz/sync | grep 'HTTP 200'"
run "curl -s -o /dev/null -w 'HTTP %{http_code} %{redirect_url}\n' --resolve $NAME:80:127.0.0.1 http://$NAME/admin/"
echo "# a change in FAC, then the watcher's sign of life"
run "mysql -u root facturation -e \"UPDATE clients SET ville = 'Lambaréné', updated_at = UTC_TIMESTAMP() WHERE id = 1\""
run "for _ in \$(seq 30); do mysql -u root -N operations -e 'SELECT ville FROM clients WHERE id = 1' | grep -q Lambaréné && break; sleep 1; done
mysql -u root -N operations -e 'SELECT id, nom, ville FROM clients WHERE id = 1'"
as_opsync ".venv/bin/python manage.py sync_from_facturation --status"

say "install check passed"
