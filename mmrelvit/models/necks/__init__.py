# Each module registers its components on import.
