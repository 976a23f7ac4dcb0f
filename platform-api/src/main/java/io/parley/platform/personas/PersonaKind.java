package io.parley.platform.personas;

public enum PersonaKind { SANTA, COMPANION, RECEPTIONIST, CUSTOM }
