"""What the demo's rows are made of: Gabonese places, names, companies, shipping lines and services,
and the untidy notes real FAC data carries."""

GABON_CITIES = (
    ("Libreville", "LBV", 8),
    ("Port-Gentil", "POG", 4),
    ("Owendo", "LBV", 3),
    ("Franceville", "FCV", 2),
    ("Lambaréné", "LBN", 1),
    ("Oyem", "OYM", 1),
)
FOREIGN_CITIES = {"Cameroun": ("Douala", "Yaoundé"), "Congo": ("Pointe-Noire", "Brazzaville")}
STREETS = {
    "Libreville": (
        "Boulevard Triomphal Omar Bongo",
        "Boulevard de l'Indépendance",
        "Quartier Louis",
        "Akébé Plaine",
        "Nzeng-Ayong",
        "Glass, rue Pecqueur",
        "Nombakélé",
        "Port-Môle",
        "Zone industrielle d'Oloumi",
    ),
    "Owendo": ("Nouveau port d'Owendo", "Quartier Alénakiri", "Zone économique spéciale de Nkok"),
    "Port-Gentil": ("Boulevard du Bord de Mer", "Quartier Grand Village", "Quartier Balise"),
    "Franceville": ("Quartier Potos", "Route de Moanda"),
}
OTHER_STREETS = ("Centre-ville", "Quartier administratif", "Avenue de la Mairie")
FIRST_NAMES = (
    "Aurélie", "Jean-Noël", "Ghislain", "Clémence", "Rodrigue", "Prisca", "Hervé", "Léonie",
    "Anicet", "Bérénice", "Éloïse", "Fabrice", "Judicaël", "Noëlla", "Stéphane", "Régis",
    "Sidonie", "Théodore", "Armelle", "Loïc",
)  # fmt: skip
LAST_NAMES = (
    "Nzé", "Mba Obame", "Ndong", "Obiang", "Moussavou", "Nguema", "Mintsa", "Boussougou",
    "Koumba", "Mouélé", "Ondo Mba", "Essono", "Ella", "Mabika", "Nzamba", "Ogandaga",
    "Bibang", "Ekomi", "Mbadinga", "Engone",
)  # fmt: skip
COMPANIES = (
    "Société Gabonaise de Transit",
    "Comilog",
    "Olam Gabon",
    "Setrag",
    "Société d'Énergie et d'Eau du Gabon (SEEG)",
    "Gabon Special Economic Zone",
    "Assala Energy Gabon",
    "Perenco Oil & Gas Gabon",
    "Sucaf Gabon",
    "Siat Gabon",
    "Ceca-Gadis",
    "Rougier Gabon",
    "Société Équatoriale d'Exploitation Forestière",
    "Okoumé Export SARL",
    "Pêcheries de l'Estuaire",
    "Scierie de Lambaréné",
    "Boulangerie du Port-Môle",
    "Quincaillerie de Nzeng-Ayong",
    "Transports Moukagni & Fils",
    "Brasseries du Gabon (Sobraga)",
    "Ciments du Gabon",
    "Manganèse de Moanda SA",
    "Agro-Industries de l'Ogooué",
    "Pharmacie du Bord de Mer",
    "Hôtel Léconi Palace",
)
COMPANY_PATTERNS = ("Ets {name}", "{name} & Fils SARL", "Transports {name}", "Comptoir {name}")
SHORT_NOTES = (
    "Paiement à 30 jours fin de mois.",
    "Relancer avant la clôture de l'exercice.",
    "Exonéré de TVA (zone économique spéciale de Nkok).",
    "Client historique — ne pas bloquer le compte sans accord de la direction.",
    "Factures à envoyer en double exemplaire au service comptable.",
)
EMOJI_NOTE = 'Client "VIP" 🚢 : factures archivées sous C:\\Factures\\2024\\, l\'ancien dossier est perdu.'
LONG_NOTE_SENTENCE = (
    "Historique des échanges : relances, litiges de facturation, accords de paiement échelonné "
    "et remises exceptionnelles négociées avec la direction générale. "
)
CREDIT_LIMITS = (0, 0, 1_000_000, 5_000_000, 10_000_000, 25_000_000, 50_000_000)

TRANSITAIRES = (
    "Africa Global Logistics Gabon",
    "Bolloré Transport & Logistics Gabon",
    "SDV Gabon",
    "Gabon Transit Express",
    "  Transit Équatorial SARL ",
    "Getma Gabon",
    "Necotrans Gabon",
    "Trans-Ogooué Logistique",
    "Cabinet Nkoghe & Associés — Dédouanement",
    "Comptoir Maritime de l'Estuaire",
    "Owendo Dédouanement Services",
    "Transit Sainte-Thérèse de Port-Gentil",
)
ARMATEURS = (
    ("MSC Mediterranean Shipping Company", "MSC", "msc.com"),
    ("Maersk", "MAEU", "maersk.com"),
    ("CMA CGM", "CMDU", "cma-cgm.com"),
    ("Hapag-Lloyd", "HLCU", "hapag-lloyd.com"),
    ("COSCO Shipping Lines", "COSU", "coscoshipping.com"),
    ("Ocean Network Express (ONE)", "ONEY", "one-line.com"),
    ("Grimaldi Lines", "GRIM", "grimaldi.napoli.it"),
    ("Delmas (ancienne ligne Afrique de l'Ouest)", None, "delmas.com"),
)
ZONES = (
    "Estuaire",
    "Ogooué-Maritime",
    "Haut-Ogooué",
    "Moyen-Ogooué",
    "Woleu-Ntem",
    "Ngounié",
    "Nyanga",
    "Ogooué-Ivindo",
)
COMMISSION_RATES = ("1.50", "2.00", "2.50", "3.00", "3.75", "4.25", "5.00")
# code, nom, prix_unitaire (XAF), unite, categorie, statut, description
SERVICES = (
    ("MAN-20", "Manutention conteneur 20 pieds", "85000.00", "EVP", "Manutention", "actif",
     "Chargement ou déchargement navire/quai d'un conteneur 20' au port d'Owendo."),
    ("MAN-40", "Manutention conteneur 40 pieds", "150000.00", "conteneur", "Manutention", "actif",
     "Chargement ou déchargement navire/quai d'un conteneur 40'."),
    ("MAN-VRAC", "Manutention vrac (manganèse, clinker)", "4500.00", "tonne", "Manutention", "actif", None),
    ("MAN-BOIS", "Manutention grumes et bois débités", "6500.00", "tonne", "Manutention", "actif",
     "Okoumé, padouk et azobé : grumes et colis de bois débités."),
    ("MAN-TRAD", "Manutention manuelle (ancienne grille)", "2500.00", "tonne", "Manutention", "inactif",
     "Tarif remplacé en 2023, conservé pour les anciennes factures."),
    ("PES-PONT", "Pesage au pont-bascule (VGM)", "15000.00", "conteneur", "Manutention", "actif", ""),
    ("EMP-DEP", "Empotage / dépotage", "60000.00", "conteneur", "Manutention", "actif", None),
    ("STO-20", "Stockage conteneur 20 pieds", "5000.00", "jour", "Stockage", "actif",
     "Au-delà de la franchise de 7 jours."),
    ("STO-40", "Stockage conteneur 40 pieds", "9000.00", "jour", "Stockage", "actif", None),
    ("STO-FRIGO", "Branchement conteneur frigorifique", "25000.00", "jour", "Stockage", "actif",
     "Branchement et surveillance des conteneurs reefer 🧊, relevé de température toutes les 6 h."),
    ("TRA-LBV", "Transport Owendo → Libreville", "120000.00", "conteneur", "Transport", "actif", None),
    ("TRA-FCV", "Transport ferroviaire Owendo → Franceville (Transgabonais)", "950000.00", "conteneur",
     "Transport", "actif", "Via la Setrag, délai indicatif 3 jours."),
    ("TRA-POG", "Cabotage Libreville → Port-Gentil", "450000.00", "EVP", "Transport", "actif", None),
    ("DOU-DEC", "Déclaration en douane", "75000.00", None, "Douane", "actif",
     "Établissement et dépôt de la déclaration dans SYDONIA."),
    ("DOU-SCAN", "Passage au scanner douanier", "35000.00", "conteneur", "Douane", "actif", None),
    ("DOU-CO", "Certificat d'origine", "25000.00", None, "Douane", "actif", None),
)  # fmt: skip
