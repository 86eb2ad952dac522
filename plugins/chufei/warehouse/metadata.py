"""The one SQLAlchemy ``MetaData`` every warehouse table registers on."""

from sqlalchemy import MetaData

metadata = MetaData()
