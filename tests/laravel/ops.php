<?php
// The operations application, as the tests need it: Laravel 8's own Capsule, Schema builder and
// Eloquent (Debian's php-laravel-framework), no application skeleton.
//
//   php tests/laravel/ops.php build                    the OPS tables, as its migrations create them
//   php tests/laravel/ops.php staff-clients N           N clients of the staff's own (next AUTO_INCREMENT ids)
//   php tests/laravel/ops.php orders ID [ID …]          one work order per client id
//   php tests/laravel/ops.php workload SECONDS SEED     the staff at work: edits of OPS's own columns and new
//                                                       orders, through Eloquent (each save() bumps updated_at)
//   php tests/laravel/ops.php users NAME [NAME …]       Laravel's own users table, as every application has it
//                                                       (FAC's and OPS's alike), with these users
//   php tests/laravel/ops.php armateurs                 the application's shipping lines, without soft deletes
//                                                       (deploy/mapping.example.toml adopts them; the install check)
//
// The connection comes from OPS_TEST_DB_* variables. Every command prints one JSON document.

require '/usr/share/php/Illuminate/Database/autoload.php';

use Illuminate\Database\Capsule\Manager as Capsule;
use Illuminate\Database\Eloquent\Model;
use Illuminate\Database\Eloquent\SoftDeletes;
use Illuminate\Database\Schema\Blueprint;

$capsule = new Capsule();
$capsule->addConnection([
    'driver' => 'mysql',
    'host' => getenv('OPS_TEST_DB_HOST') ?: '127.0.0.1',
    'port' => getenv('OPS_TEST_DB_PORT') ?: '3306',
    'database' => getenv('OPS_TEST_DB_DATABASE'),
    'username' => getenv('OPS_TEST_DB_USERNAME') ?: 'root',
    'password' => getenv('OPS_TEST_DB_PASSWORD') ?: '',
    'charset' => 'utf8mb4',
    'collation' => 'utf8mb4_unicode_ci',
    'timezone' => '+00:00',
]);
$capsule->setAsGlobal();
$capsule->bootEloquent();

class Client extends Model
{
    use SoftDeletes;

    protected $table = 'clients';
    protected $guarded = [];
}

class User extends Model
{
    protected $table = 'users';
    protected $guarded = [];
    protected $hidden = ['password', 'remember_token'];
}

class OrdreTravail extends Model
{
    protected $table = 'ordres_travail';
    protected $guarded = [];
}

function migrate(string $name, callable $up): void
{
    $up();
    Capsule::table('migrations')->insert(['migration' => $name, 'batch' => 1]);
}

function build(): array
{
    $schema = Capsule::schema();
    $schema->create('migrations', function (Blueprint $table) {
        $table->increments('id');
        $table->string('migration');
        $table->integer('batch');
    });
    migrate('2021_03_01_000000_create_clients_table', function () use ($schema) {
        $schema->create('clients', function (Blueprint $table) {
            $table->id();
            $table->string('code', 20)->nullable()->unique();  // the staff's own reference
            $table->string('nom');
            $table->string('email')->nullable();
            $table->string('telephone')->nullable();
            $table->string('adresse')->nullable();
            $table->string('ville')->nullable();
            $table->string('pays')->default('Gabon');
            $table->enum('type', ['Particulier', 'Entreprise'])->default('Entreprise');
            $table->string('registre_commerce')->nullable();
            $table->string('ninea')->nullable();
            $table->string('contact_nom')->nullable();
            $table->text('notes')->nullable();
            $table->string('statut', 20)->default('actif');
            $table->boolean('credit_bloque')->default(false);
            $table->unsignedBigInteger('commercial_id')->nullable();
            $table->timestamps();
            $table->softDeletes();
            $table->timestamp('synced_at')->nullable();
        });
    });
    migrate('2021_03_02_000000_create_ordres_travail_table', function () use ($schema) {
        $schema->create('ordres_travail', function (Blueprint $table) {
            $table->id();
            $table->foreignId('client_id')->constrained('clients');
            $table->string('reference', 30);
            $table->string('statut', 20)->default('ouvert');
            $table->timestamps();
        });
    });
    return ['tables' => ['migrations', 'clients', 'ordres_travail']];
}

function staff_clients(int $count): array
{
    $ids = [];
    for ($i = 1; $i <= $count; $i++) {
        $number = Client::count() + 1;
        $client = Client::create([
            'code' => sprintf('OPS-%05d-%04d', $number, random_int(0, 9999)),
            'nom' => "Client comptoir $number",
            'email' => "comptoir$number@ops.example",
            'ville' => 'Owendo',
            'statut' => 'prospect',
        ]);
        $ids[] = $client->id;
    }
    return ['ids' => $ids];
}

function orders(array $clientIds): array
{
    $ids = [];
    foreach ($clientIds as $clientId) {
        $ids[] = OrdreTravail::create(['client_id' => (int) $clientId, 'reference' => 'OT-' . uniqid()])->id;
    }
    return ['ids' => $ids];
}

// The staff at work for SECONDS: each step edits one of OPS's own columns of a client through
// Eloquent (save() also bumps updated_at) or opens a work order. Every edit is reported, so that
// the test can tell whether the last value of each survived.
function workload(float $seconds, int $seed): array
{
    mt_srand($seed);
    $ids = Client::pluck('id')->all();
    $edits = [];
    $orders = 0;
    $deadline = microtime(true) + $seconds;
    while (microtime(true) < $deadline) {
        $client = Client::find($ids[mt_rand(0, count($ids) - 1)]);
        if (mt_rand(0, 3) === 0) {
            OrdreTravail::create(['client_id' => $client->id, 'reference' => 'OT-' . uniqid()]);
            $orders++;
        } else {
            $client->statut = ['actif', 'suspendu', 'contentieux'][mt_rand(0, 2)];
            $client->credit_bloque = (bool) mt_rand(0, 1);
            $client->commercial_id = mt_rand(1, 40);
            $client->save();
            $edits[(string) $client->id] = [$client->statut, (int) $client->credit_bloque, $client->commercial_id];
        }
        usleep(mt_rand(5000, 40000));
    }
    return ['edits' => $edits, 'orders' => $orders];
}

// The application's own shipping lines: a code of its own, no soft deletes (a line it stops working
// with is marked inactive), as deploy/mapping.example.toml's [armateurs] describes them.
function armateurs(): array
{
    $schema = Capsule::schema();
    migrate('2021_03_03_000000_create_armateurs_table', function () use ($schema) {
        $schema->create('armateurs', function (Blueprint $table) {
            $table->id();
            $table->string('nom');
            $table->string('code')->nullable()->unique();
            $table->string('email')->nullable();
            $table->string('telephone')->nullable();
            $table->string('adresse')->nullable();
            $table->boolean('actif')->default(true);
            $table->string('escale_principale')->nullable();  // the application's own column
            $table->timestamps();
        });
    });
    return ['tables' => ['armateurs']];
}

// Laravel 8's own 2014_10_12_000000_create_users_table, then the users, their passwords hashed as Hash::make does.
function users(array $names): array
{
    $schema = Capsule::schema();
    if (!$schema->hasTable('users')) {
        $schema->create('users', function (Blueprint $table) {
            $table->id();
            $table->string('name');
            $table->string('email')->unique();
            $table->timestamp('email_verified_at')->nullable();
            $table->string('password');
            $table->rememberToken();
            $table->timestamps();
        });
    }
    $ids = [];
    foreach ($names as $name) {
        $ids[] = User::create([
            'name' => $name,
            'email' => "$name@example.ga",
            'password' => password_hash("mot-de-passe-de-$name", PASSWORD_BCRYPT),
        ])->id;
    }
    return ['ids' => $ids];
}

$command = $argv[1] ?? '';
$result = match ($command) {
    'build' => build(),
    'staff-clients' => staff_clients((int) $argv[2]),
    'orders' => orders(array_slice($argv, 2)),
    'workload' => workload((float) $argv[2], (int) $argv[3]),
    'users' => users(array_slice($argv, 2)),
    'armateurs' => armateurs(),
    default => throw new InvalidArgumentException("unknown command '$command'"),
};
echo json_encode($result), "\n";
