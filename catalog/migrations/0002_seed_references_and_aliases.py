"""Seed the make/model reference table and the alias table (staff edit both in the admin).

Every make/model of the sample inventory has a row, plus the used cars most sold in Mexico so
future inventory files classify on import. Body types follow the Mexican market versions
(e.g. Ford Figo and Chevrolet Onix in stock are the sedans; Mazda 3 versions say SEDAN or
HATCHBACK and override the row). The data is frozen here on purpose: migrations must not import
application code that may change later.
"""

import re
import unicodedata

from django.db import migrations

A = "automatic"
U = "unknown"

# (make, model, body_type, seats, transmission when the version does not say it)
REFERENCES = [
    # In the sample inventory.
    ("Audi", "A1", "hatchback", 5, U),
    ("BMW", "Serie 1", "hatchback", 5, U),
    ("BMW", "Serie 2", "coupe", 4, U),
    ("BMW", "Serie 3", "sedan", 5, U),
    ("BMW", "Serie 7", "sedan", 5, A),
    ("BMW", "X1", "suv", 5, U),
    ("BMW", "X3", "suv", 5, A),
    ("BMW", "X5", "suv", 5, A),
    ("Chevrolet", "Aveo", "sedan", 5, U),
    ("Chevrolet", "Captiva", "suv", 7, U),
    ("Chevrolet", "Onix", "sedan", 5, U),
    ("Chevrolet", "Sonic", "sedan", 5, U),
    ("Chevrolet", "Spark", "hatchback", 5, U),
    ("Chevrolet", "Tracker", "suv", 5, U),
    ("Chevrolet", "Trax", "suv", 5, U),
    ("Dodge", "Durango", "suv", 7, A),
    ("Dodge", "Journey", "suv", 7, U),
    ("Fiat", "Palio", "hatchback", 5, U),
    ("Fiat", "Uno", "hatchback", 5, U),
    ("Ford", "EcoSport", "suv", 5, U),
    ("Ford", "Escape", "suv", 5, U),
    ("Ford", "Figo", "sedan", 5, U),
    ("Honda", "BR-V", "suv", 7, U),
    ("Honda", "CR-V", "suv", 5, A),
    ("Honda", "Civic", "sedan", 5, U),
    ("Honda", "HR-V", "suv", 5, U),
    ("Honda", "Odyssey", "minivan", 8, A),
    ("Infiniti", "Q70", "sedan", 5, A),
    ("JAC", "SEI2", "suv", 5, U),
    ("Jeep", "Compass", "suv", 5, U),
    ("KIA", "Forte", "sedan", 5, U),
    ("KIA", "Rio", "sedan", 5, U),
    ("KIA", "Sportage", "suv", 5, U),
    ("Land Rover", "Discovery Sport", "suv", 7, A),
    ("Lincoln", "Nautilus", "suv", 5, A),
    ("MG", "MG5", "sedan", 5, U),
    ("MG", "HS", "suv", 5, U),
    ("Mazda", "Mazda 3", "sedan", 5, U),
    ("Mazda", "CX-5", "suv", 5, U),
    ("Mazda", "CX-9", "suv", 7, A),
    ("Mercedes Benz", "Clase A", "hatchback", 5, A),
    ("Mercedes Benz", "Clase C", "sedan", 5, A),
    ("Mercedes Benz", "Clase CLA", "sedan", 5, A),
    ("Mini", "Cooper", "hatchback", 4, U),
    ("Nissan", "Altima", "sedan", 5, A),
    ("Nissan", "Frontier", "pickup", 5, U),
    ("Nissan", "Kicks", "suv", 5, U),
    ("Nissan", "March", "hatchback", 5, U),
    ("Nissan", "Murano", "suv", 5, A),
    ("Nissan", "Pathfinder", "suv", 7, A),
    ("Nissan", "Sentra", "sedan", 5, U),
    ("Nissan", "Versa", "sedan", 5, U),
    ("Nissan", "X-Trail", "suv", 5, U),
    ("Peugeot", "208", "hatchback", 5, U),
    ("Renault", "Captur", "suv", 5, U),
    ("Renault", "Duster", "suv", 5, U),
    ("Renault", "Koleos", "suv", 5, A),
    ("Seat", "Ibiza", "hatchback", 5, U),
    ("Seat", "Toledo", "sedan", 5, U),
    ("Suzuki", "Swift", "hatchback", 5, U),
    ("Toyota", "Avanza", "minivan", 7, U),
    ("Toyota", "Corolla", "sedan", 5, U),
    ("Toyota", "RAV4", "suv", 5, U),
    ("Toyota", "Yaris", "hatchback", 5, U),
    ("Volkswagen", "Gol", "hatchback", 5, U),
    ("Volkswagen", "Jetta", "sedan", 5, U),
    ("Volkswagen", "Passat", "sedan", 5, A),
    ("Volkswagen", "T-Cross", "suv", 5, U),
    ("Volkswagen", "Tiguan", "suv", 5, U),
    ("Volkswagen", "Touareg", "suv", 5, A),
    ("Volkswagen", "Vento", "sedan", 5, U),
    ("Volvo", "S60", "sedan", 5, A),
    # Other used cars common in Mexico.
    ("Audi", "A3", "sedan", 5, U),
    ("Audi", "A4", "sedan", 5, A),
    ("Audi", "Q3", "suv", 5, A),
    ("Audi", "Q5", "suv", 5, A),
    ("BMW", "Serie 4", "coupe", 4, A),
    ("BMW", "Serie 5", "sedan", 5, A),
    ("BMW", "Z4", "convertible", 2, U),
    ("Chevrolet", "Beat", "hatchback", 5, U),
    ("Chevrolet", "Cavalier", "sedan", 5, U),
    ("Chevrolet", "Equinox", "suv", 5, A),
    ("Chevrolet", "Silverado", "pickup", 5, U),
    ("Chevrolet", "Suburban", "suv", 8, A),
    ("Chevrolet", "Tahoe", "suv", 8, A),
    ("Chevrolet", "Camaro", "coupe", 4, U),
    ("Dodge", "Attitude", "sedan", 5, U),
    ("Fiat", "Mobi", "hatchback", 5, U),
    ("Fiat", "Argo", "hatchback", 5, U),
    ("Ford", "Lobo", "pickup", 5, A),
    ("Ford", "Ranger", "pickup", 5, U),
    ("Ford", "Explorer", "suv", 7, A),
    ("Ford", "Mustang", "coupe", 4, U),
    ("Ford", "Territory", "suv", 5, A),
    ("Honda", "Accord", "sedan", 5, U),
    ("Honda", "City", "sedan", 5, U),
    ("Honda", "Fit", "hatchback", 5, U),
    ("Honda", "Pilot", "suv", 8, A),
    ("Hyundai", "Accent", "sedan", 5, U),
    ("Hyundai", "Creta", "suv", 5, U),
    ("Hyundai", "Elantra", "sedan", 5, U),
    ("Hyundai", "Grand i10", "hatchback", 5, U),
    ("Hyundai", "Tucson", "suv", 5, U),
    ("Jeep", "Cherokee", "suv", 5, A),
    ("Jeep", "Grand Cherokee", "suv", 5, A),
    ("Jeep", "Renegade", "suv", 5, U),
    ("Jeep", "Wrangler", "suv", 4, U),
    ("KIA", "Seltos", "suv", 5, U),
    ("KIA", "Sorento", "suv", 7, A),
    ("KIA", "Soul", "hatchback", 5, U),
    ("Land Rover", "Range Rover Evoque", "suv", 5, A),
    ("Mazda", "Mazda 2", "sedan", 5, U),
    ("Mazda", "CX-3", "suv", 5, U),
    ("Mazda", "CX-30", "suv", 5, U),
    ("Mazda", "MX-5", "convertible", 2, U),
    ("Mercedes Benz", "Clase E", "sedan", 5, A),
    ("Mercedes Benz", "GLA", "suv", 5, A),
    ("Mercedes Benz", "GLC", "suv", 5, A),
    ("Mini", "Countryman", "suv", 5, U),
    ("Mitsubishi", "L200", "pickup", 5, U),
    ("Mitsubishi", "Mirage", "hatchback", 5, U),
    ("Mitsubishi", "Outlander", "suv", 7, U),
    ("Nissan", "NP300", "pickup", 5, U),
    ("Nissan", "Tsuru", "sedan", 5, U),
    ("Peugeot", "2008", "suv", 5, U),
    ("Peugeot", "3008", "suv", 5, A),
    ("Peugeot", "301", "sedan", 5, U),
    ("RAM", "700", "pickup", 2, U),
    ("RAM", "1500", "pickup", 5, A),
    ("Renault", "Kwid", "hatchback", 5, U),
    ("Renault", "Logan", "sedan", 5, U),
    ("Renault", "Stepway", "hatchback", 5, U),
    ("Seat", "Arona", "suv", 5, U),
    ("Seat", "Ateca", "suv", 5, U),
    ("Seat", "Leon", "hatchback", 5, U),
    ("Suzuki", "Ertiga", "minivan", 7, U),
    ("Suzuki", "Vitara", "suv", 5, U),
    ("Toyota", "Camry", "sedan", 5, A),
    ("Toyota", "Hilux", "pickup", 5, U),
    ("Toyota", "Highlander", "suv", 7, A),
    ("Toyota", "Prius", "hatchback", 5, A),
    ("Toyota", "Sienna", "minivan", 8, A),
    ("Toyota", "Tacoma", "pickup", 5, U),
    ("Volkswagen", "Amarok", "pickup", 5, U),
    ("Volkswagen", "Beetle", "hatchback", 4, U),
    ("Volkswagen", "Golf", "hatchback", 5, U),
    ("Volkswagen", "Polo", "hatchback", 5, U),
    ("Volkswagen", "Saveiro", "pickup", 2, U),
    ("Volkswagen", "Taos", "suv", 5, A),
    ("Volkswagen", "Teramont", "suv", 7, A),
    ("Volkswagen", "Virtus", "sedan", 5, U),
    ("Volvo", "XC40", "suv", 5, A),
    ("Volvo", "XC60", "suv", 5, A),
    ("Volvo", "XC90", "suv", 7, A),
]

# (alias as customers write it, make, model or "" for a make alias)
ALIASES = [
    ("VW", "Volkswagen", ""),
    ("Volks", "Volkswagen", ""),
    ("Volkswagon", "Volkswagen", ""),
    ("Chevy", "Chevrolet", ""),
    ("Chevrolé", "Chevrolet", ""),
    ("Mercedes", "Mercedes Benz", ""),
    ("Mercedez", "Mercedes Benz", ""),
    ("Mercedez Benz", "Mercedes Benz", ""),
    ("Benz", "Mercedes Benz", ""),
    ("Merce", "Mercedes Benz", ""),
    ("Infinity", "Infiniti", ""),
    ("Peugot", "Peugeot", ""),
    ("Pegeot", "Peugeot", ""),
    ("Renol", "Renault", ""),
    ("Reno", "Renault", ""),
    ("Jundai", "Hyundai", ""),
    ("Hiunday", "Hyundai", ""),
    ("Hundai", "Hyundai", ""),
    ("Mitsu", "Mitsubishi", ""),
    ("Land", "Land Rover", ""),
    ("Range Rover", "Land Rover", ""),
    ("Kía", "KIA", ""),
    ("Jeta", "Volkswagen", "Jetta"),
    ("Bocho", "Volkswagen", "Beetle"),
    ("Vocho", "Volkswagen", "Beetle"),
    ("Escarabajo", "Volkswagen", "Beetle"),
    ("Mini Cooper", "Mini", "Cooper"),
    ("Golcito", "Volkswagen", "Gol"),
    ("CLA", "Mercedes Benz", "Clase CLA"),
    ("320i", "BMW", "Serie 3"),
    ("Serie tres", "BMW", "Serie 3"),
    ("Mazda tres", "Mazda", "Mazda 3"),
    ("Discovery", "Land Rover", "Discovery Sport"),
    ("Evoque", "Land Rover", "Range Rover Evoque"),
    ("Odisea", "Honda", "Odyssey"),
    ("F150", "Ford", "Lobo"),
    ("F 150", "Ford", "Lobo"),
    ("Eco Sport", "Ford", "EcoSport"),
    ("Xtrail", "Nissan", "X-Trail"),
    ("Rav", "Toyota", "RAV4"),
    ("Np 300", "Nissan", "NP300"),
    ("Grand i 10", "Hyundai", "Grand i10"),
    ("i10", "Hyundai", "Grand i10"),
]


def _key(text):
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", "", plain)


def seed(apps, schema_editor):
    reference = apps.get_model("catalog", "CarModelReference")
    alias = apps.get_model("catalog", "CatalogAlias")
    for make, model, body_type, seats, transmission in REFERENCES:
        reference.objects.update_or_create(
            make_key=_key(make),
            model_key=_key(model),
            defaults={
                "make": make,
                "model": model,
                "body_type": body_type,
                "seats": seats,
                "default_transmission": transmission,
            },
        )
    for text, make, model in ALIASES:
        alias.objects.update_or_create(
            alias_key=_key(text), defaults={"alias": text, "make": make, "model": model}
        )


def unseed(apps, schema_editor):
    apps.get_model("catalog", "CatalogAlias").objects.filter(
        alias_key__in=[_key(text) for text, _, _ in ALIASES]
    ).delete()
    reference = apps.get_model("catalog", "CarModelReference")
    for make, model, *_ in REFERENCES:
        reference.objects.filter(make_key=_key(make), model_key=_key(model)).delete()


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
