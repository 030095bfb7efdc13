-- AlterTable
ALTER TABLE "CatalogVersion" ADD COLUMN "snapshot" TEXT;

