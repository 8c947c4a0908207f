import factory

from accounts.models import User

RESERVED_FIRST_NAMES = frozenset({"Zoé", "Nadia", "Inès"})
# The world's person's last name, and the one the log tests type in a form: the user shown in an error report drawn as
# "Martin" was taken for the world's person.
RESERVED_LAST_NAMES = frozenset({"Martin", "Lefèvre"})
_faker = factory.Faker._get_faker(locale="fr_FR")


def unreserved_first_name() -> str:
    """A French first name drawn at random, never one the tests give their people (`RESERVED_FIRST_NAMES`): a
    member or a person drawn with "Zoé" would be taken for the world's person on the pages that must not show her."""
    while (name := _faker.first_name()) in RESERVED_FIRST_NAMES:
        pass
    return name


def unreserved_last_name() -> str:
    """A French last name drawn at random, never one of `RESERVED_LAST_NAMES`."""
    while (name := _faker.last_name()) in RESERVED_LAST_NAMES:
        pass
    return name


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    # Never a first name the tests give their people ("Zoé" is the world's person, and pages must not show her to
    # some roles): a member drawn at random with that name would be taken for her.
    first_name = factory.LazyFunction(unreserved_first_name)
    last_name = factory.LazyFunction(unreserved_last_name)
    password = factory.django.Password("motdepasse-de-test")
    language = "fr"
